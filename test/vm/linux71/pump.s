# A linux-7.1 loop_step for the VM tests (test/vm/linux71.test.ts): walks the CQ from head
# to tail (sums res into total, counts into count, emits each CQE to iou_emit), stores the
# head, writes `want` NOP SQEs (user_data 100+i, at most iou_sq_entries) and submits `want`
# (the result goes to subret), sets cq_wait_idx = head + waitdelta, and stops once count >= limit.
	.text
	.section "struct_ops.s/pump","ax"
	.globl pump
	.type pump,@function
pump:
	r6 = *(u64 *)(r1 + 0)
	r7 = *(u64 *)(r1 + 8)
	r1 = iou_cqes_off ll
	r2 = *(u32 *)(r1 + 0)
	r1 = iou_cq_entries ll
	r3 = *(u32 *)(r1 + 0)
	r3 <<= 4
	r3 += r2
	r1 = r6
	r2 = 1
	call bpf_io_uring_get_region
	if r0 == 0 goto fail
	r8 = r0
	r1 = iou_cq_head_off ll
	r1 = *(u32 *)(r1 + 0)
	r1 += r8
	r9 = *(u32 *)(r1 + 0)
loop:
	r1 = iou_cq_tail_off ll
	r1 = *(u32 *)(r1 + 0)
	r1 += r8
	r2 = *(u32 *)(r1 + 0)
	if w2 == w9 goto done
	r1 = iou_cq_entries ll
	r3 = *(u32 *)(r1 + 0)
	r3 += -1
	r4 = r9
	r4 &= r3
	r4 <<= 4
	r1 = iou_cqes_off ll
	r3 = *(u32 *)(r1 + 0)
	r4 += r3
	r4 += r8
	r3 = *(s32 *)(r4 + 8)
	r1 = total ll
	r2 = *(u64 *)(r1 + 0)
	r2 += r3
	*(u64 *)(r1 + 0) = r2
	r1 = iou_emit ll
	r2 = r4
	r3 = 16
	r4 = 0
	call 130
	r1 = count ll
	r2 = *(u32 *)(r1 + 0)
	r2 += 1
	*(u32 *)(r1 + 0) = r2
	w9 += 1
	goto loop
done:
	r1 = iou_cq_head_off ll
	r1 = *(u32 *)(r1 + 0)
	r1 += r8
	*(u32 *)(r1 + 0) = r9
	r1 = want ll
	r2 = *(u32 *)(r1 + 0)
	if r2 == 0 goto nosubmit
	r1 = iou_sq_entries ll
	r3 = *(u32 *)(r1 + 0)
	r3 <<= 6
	r1 = r6
	r2 = 2
	call bpf_io_uring_get_region
	if r0 == 0 goto fail
	r1 = want ll
	r2 = *(u32 *)(r1 + 0)
	r1 = iou_sq_entries ll
	r1 = *(u32 *)(r1 + 0)
	if r2 <= r1 goto fits
	r2 = r1
fits:
	r3 = 0
sqloop:
	if r3 >= r2 goto sqdone
	r4 = r3
	r4 <<= 6
	r4 += r0
	r5 = 0
	*(u64 *)(r4 + 0) = r5
	r5 = r3
	r5 += 100
	*(u64 *)(r4 + 32) = r5
	r3 += 1
	goto sqloop
sqdone:
	r1 = want ll
	r2 = *(u32 *)(r1 + 0)
	r1 = r6
	call bpf_io_uring_submit_sqes
	r1 = subret ll
	*(u32 *)(r1 + 0) = r0
nosubmit:
	r1 = waitdelta ll
	r2 = *(u32 *)(r1 + 0)
	r2 += r9
	*(u32 *)(r7 + 0) = r2
	r1 = count ll
	r2 = *(u32 *)(r1 + 0)
	r1 = limit ll
	r3 = *(u32 *)(r1 + 0)
	r0 = 0
	if r2 < r3 goto out
	r0 = 1
out:
	exit
fail:
	r0 = 1
	exit

	.section .rodata,"a"
	.globl iou_cq_head_off
	.type iou_cq_head_off,@object
	.size iou_cq_head_off,4
iou_cq_head_off:
	.long 0
	.globl iou_cq_tail_off
	.type iou_cq_tail_off,@object
	.size iou_cq_tail_off,4
iou_cq_tail_off:
	.long 0
	.globl iou_cqes_off
	.type iou_cqes_off,@object
	.size iou_cqes_off,4
iou_cqes_off:
	.long 0
	.globl iou_cq_entries
	.type iou_cq_entries,@object
	.size iou_cq_entries,4
iou_cq_entries:
	.long 0
	.globl iou_sq_entries
	.type iou_sq_entries,@object
	.size iou_sq_entries,4
iou_sq_entries:
	.long 0
	.globl limit
	.type limit,@object
	.size limit,4
limit:
	.long 0
	.globl want
	.type want,@object
	.size want,4
want:
	.long 0
	.globl waitdelta
	.type waitdelta,@object
	.size waitdelta,4
waitdelta:
	.long 0
	.section .bss,"aw",@nobits
	.globl total
	.type total,@object
	.size total,8
total:
	.zero 8
	.globl count
	.type count,@object
	.size count,4
count:
	.zero 4
	.globl subret
	.type subret,@object
	.size subret,4
subret:
	.zero 4
	.section .maps,"aw"
	.globl iou_emit
	.type iou_emit,@object
	.size iou_emit,8
iou_emit:
	.quad 0
	.section license,"aw"
	.asciz "GPL"
