/* examples/nop-pump on linux-7.1: keep INFLIGHT NOPs in flight until TOTAL have completed,
 * then report the count and the elapsed time. */
#include "iou71.h"

#define INFLIGHT 8
#define TOTAL 1000

__u64 queued;    /* NOPs submitted so far */
__u64 completed; /* NOP completions seen so far */
__u64 start_ns;

static __always_inline void queue_one(struct iou_step *s)
{
	struct io_uring_sqe *sqe = iou_sqe(s);

	if (!sqe)
		return;
	sqe->opcode = IORING_OP_NOP;
	sqe->user_data = queued;
	queued++;
}

static __always_inline void on_start(struct iou_step *s)
{
	start_ns = bpf_ktime_get_ns();
	for (__u32 i = 0; i < INFLIGHT; i++)
		queue_one(s);
}

static __always_inline void on_completion(struct iou_step *s, const struct io_uring_cqe *cqe)
{
	if (cqe->res < 0) {
		iou_emit_cqe(cqe->user_data, cqe->res, 0);
		iou_stop(s);
		return;
	}
	completed++;
	if (completed >= TOTAL) {
		/* user_data: elapsed nanoseconds; res: completions */
		iou_emit_cqe(bpf_ktime_get_ns() - start_ns, (__s32)completed, 0);
		iou_stop(s);
		return;
	}
	if (queued < TOTAL)
		queue_one(s);
}

IOU_LOOP_STEP(nop_pump)
