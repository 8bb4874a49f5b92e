	.file	"copy.bpf.ts"
	.section	"iouring.s/copy","ax",@progbits
	.p2align	3
	.globl	copy
	.type	copy,@function
copy:
	r6 = r1
	r1 = copy__started ll
	r2 = *(u8 *)(r1 + 0x0)
	if r2 != 0x0 goto .LBB0_0
	*(u8 *)(r1 + 0x0) = 0x1
	r1 = IN_FD ll
	r2 = *(u32 *)(r1 + 0x0)
	r1 = BUF ll
	r3 = *(u64 *)(r1 + 0x0)
	*(u32 *)(r10 - 0x58) = 0x116
	*(u64 *)(r10 - 0x50) = 0x0
	*(u64 *)(r10 - 0x40) = 0x4000
	*(u64 *)(r10 - 0x38) = 0x1
	*(u64 *)(r10 - 0x30) = 0x0
	*(u64 *)(r10 - 0x28) = 0x0
	*(u64 *)(r10 - 0x20) = 0x0
	*(u32 *)(r10 - 0x54) = r2
	*(u64 *)(r10 - 0x48) = r3
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
	r1 = OUT_FD ll
	r2 = *(u32 *)(r1 + 0x0)
	r1 = BUF ll
	r3 = *(u64 *)(r1 + 0x0)
	r1 = *(u32 *)(r10 - 0x8)
	r4 = offset ll
	r5 = *(u64 *)(r4 + 0x0)
	*(u32 *)(r10 - 0x58) = 0x117
	*(u32 *)(r10 - 0x3c) = 0x0
	*(u64 *)(r10 - 0x38) = 0x2
	*(u64 *)(r10 - 0x30) = 0x0
	*(u64 *)(r10 - 0x28) = 0x0
	*(u64 *)(r10 - 0x20) = 0x0
	*(u32 *)(r10 - 0x54) = r2
	*(u64 *)(r10 - 0x48) = r3
	*(u32 *)(r10 - 0x40) = r1
	*(u64 *)(r10 - 0x50) = r5
	goto .LBB0_7
.LBB0_4:
	r1 = offset ll
	r2 = *(u64 *)(r1 + 0x0)
	r3 = *(u32 *)(r10 - 0x8)
	r3 <<= 0x20
	r3 s>>= 0x20
	r2 += r3
	*(u64 *)(r1 + 0x0) = r2
	r1 = SIZE ll
	r3 = *(u64 *)(r1 + 0x0)
	if r2 < r3 goto .LBB0_8
.LBB0_6:
	r1 = offset ll
	r4 = *(u64 *)(r1 + 0x0)
	r4 <<= 0x20
	r4 s>>= 0x20
	r1 = r6
	r2 = 0x0
	r3 = 0x0
.LBB0_3:
	r5 = 0x0
	call 0xa5
	goto .LBB0_9
.LBB0_8:
	r1 = IN_FD ll
	r2 = *(u32 *)(r1 + 0x0)
	r1 = BUF ll
	r3 = *(u64 *)(r1 + 0x0)
	r1 = offset ll
	r4 = *(u64 *)(r1 + 0x0)
	*(u32 *)(r10 - 0x58) = 0x116
	*(u64 *)(r10 - 0x40) = 0x4000
	*(u64 *)(r10 - 0x38) = 0x1
	*(u64 *)(r10 - 0x30) = 0x0
	*(u64 *)(r10 - 0x28) = 0x0
	*(u64 *)(r10 - 0x20) = 0x0
	*(u32 *)(r10 - 0x54) = r2
	*(u64 *)(r10 - 0x48) = r3
	*(u64 *)(r10 - 0x50) = r4
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
	*(u32 *)(r6 + 0x8) = 0x1
	goto .LBB0_11
.LBB0_9:
	*(u32 *)(r6 + 0x8) = 0x0
.LBB0_11:
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
