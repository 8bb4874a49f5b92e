	.file	"copy.bpf.ts"
	.section	"iouring.s/copy","ax",@progbits
	.p2align	3
	.globl	copy
	.type	copy,@function
copy:
	r6 = r1
	r7 = offset ll
	r8 = IN_FD ll
	r2 = *(u8 *)(r7 + 0x8)
	if r2 != 0x0 goto .LBB0_0
	*(u8 *)(r7 + 0x8) = 0x1
	r1 = *(u32 *)(r8 + 0x0)
	r2 = *(u64 *)(r8 + 0x8)
	*(u32 *)(r10 - 0x58) = 0x116
	*(u64 *)(r10 - 0x50) = 0x0
	*(u64 *)(r10 - 0x40) = 0x4000
	*(u64 *)(r10 - 0x38) = 0x1
	*(u64 *)(r10 - 0x30) = 0x0
	*(u64 *)(r10 - 0x28) = 0x0
	*(u64 *)(r10 - 0x20) = 0x0
	*(u32 *)(r10 - 0x54) = r1
	*(u64 *)(r10 - 0x48) = r2
	r2 = r10
	r2 += -0x58
	r1 = r6
	r3 = 0x40
	call 0xa4
.LBB0_0:
	*(u64 *)(r10 - 0x18) = 0x0
.LBB0_10:
	r1 = r6
	r2 = *(u32 *)(r6 + 0xc)
	r3 = r10
	r3 += -0x10
	r4 = 0x10
	call 0xa6
	if r0 s< 0x0 goto .LBB0_1
	r1 = *(u32 *)(r10 - 0x8)
	if w1 s>= 0x0 goto .LBB0_2
	r3 = *(u64 *)(r10 - 0x10)
	r4 = *(u32 *)(r10 - 0x8)
	r1 = r6
	r2 = 0x0
	goto .LBB0_3
.LBB0_2:
	r1 = *(u64 *)(r10 - 0x10)
	if r1 == 0x2 goto .LBB0_4
	if r1 != 0x1 goto .LBB0_5
	r1 = *(u32 *)(r10 - 0x8)
	if w1 == 0x0 goto .LBB0_6
	r1 = *(u32 *)(r8 + 0x4)
	r2 = *(u64 *)(r8 + 0x8)
	r3 = *(u32 *)(r10 - 0x8)
	r4 = *(u64 *)(r7 + 0x0)
	*(u32 *)(r10 - 0x58) = 0x117
	*(u32 *)(r10 - 0x3c) = 0x0
	*(u64 *)(r10 - 0x38) = 0x2
	*(u64 *)(r10 - 0x30) = 0x0
	*(u64 *)(r10 - 0x28) = 0x0
	*(u64 *)(r10 - 0x20) = 0x0
	*(u32 *)(r10 - 0x54) = r1
	*(u64 *)(r10 - 0x48) = r2
	*(u32 *)(r10 - 0x40) = r3
	*(u64 *)(r10 - 0x50) = r4
	goto .LBB0_7
.LBB0_4:
	r1 = *(u64 *)(r7 + 0x0)
	r2 = *(u32 *)(r10 - 0x8)
	r2 <<= 0x20
	r2 s>>= 0x20
	r1 += r2
	*(u64 *)(r7 + 0x0) = r1
	r2 = *(u64 *)(r8 + 0x10)
	if r1 < r2 goto .LBB0_8
.LBB0_6:
	r4 = *(u64 *)(r7 + 0x0)
	r4 <<= 0x20
	r4 s>>= 0x20
	r1 = r6
	r2 = 0x0
	r3 = 0x0
.LBB0_3:
	r5 = 0x0
	call 0xa5
	r1 = 0x0
	goto .LBB0_9
.LBB0_8:
	r1 = *(u32 *)(r8 + 0x0)
	r2 = *(u64 *)(r8 + 0x8)
	r3 = *(u64 *)(r7 + 0x0)
	*(u32 *)(r10 - 0x58) = 0x116
	*(u64 *)(r10 - 0x40) = 0x4000
	*(u64 *)(r10 - 0x38) = 0x1
	*(u64 *)(r10 - 0x30) = 0x0
	*(u64 *)(r10 - 0x28) = 0x0
	*(u64 *)(r10 - 0x20) = 0x0
	*(u32 *)(r10 - 0x54) = r1
	*(u64 *)(r10 - 0x48) = r2
	*(u64 *)(r10 - 0x50) = r3
.LBB0_7:
	r2 = r10
	r2 += -0x58
	r1 = r6
	r3 = 0x40
	call 0xa4
.LBB0_5:
	r1 = *(u64 *)(r10 - 0x18)
	r1 += 0x1
	*(u64 *)(r10 - 0x18) = r1
	if r1 < 0x10 goto .LBB0_10
.LBB0_1:
	r1 = 0x1
.LBB0_9:
	*(u32 *)(r6 + 0x8) = r1
	r0 = 0x0
	exit
.Lfunc_end0:
	.size	copy, .Lfunc_end0-copy
	.section	license,"aw",@progbits
	.section	.rodata,"a",@progbits
	.p2align	3
	.globl	IN_FD
	.type	IN_FD,@object
IN_FD:
	.size	IN_FD, 4
	.globl	OUT_FD
	.type	OUT_FD,@object
OUT_FD:
	.size	OUT_FD, 4
	.globl	BUF
	.type	BUF,@object
BUF:
	.size	BUF, 8
	.globl	SIZE
	.type	SIZE,@object
SIZE:
	.size	SIZE, 8
	.section	.bss,"aw",@nobits
	.p2align	3
	.globl	offset
	.type	offset,@object
offset:
	.size	offset, 8
	.zero	8
	.globl	copy__started
	.type	copy__started,@object
copy__started:
	.size	copy__started, 1
	.zero	1
	.section	.BTF,"",@progbits
	.p2align	2
	.section	.BTF.ext,"",@progbits
	.p2align	2
