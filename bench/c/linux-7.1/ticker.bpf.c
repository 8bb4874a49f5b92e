/* examples/ticker on linux-7.1: a timeout that re-arms itself; every tick is reported to user
 * space (emit) with its sequence number, until TICKS ticks have passed. (linux-7.1 has one
 * CQ: the program's own completions come on it, there is no `cq` field.) */
#include "iou71.h"

#define ETIME 62 /* an expired timeout completes with -ETIME */

const volatile __u64 PERIOD_TS; /* struct __kernel_timespec holding the period */
const volatile __u64 TICKS;     /* how many ticks before stopping (0: forever) */

__u64 ticks;

static __always_inline void arm(struct iou_step *s)
{
	struct io_uring_sqe *sqe = iou_sqe(s);

	if (!sqe)
		return;
	sqe->opcode = IORING_OP_TIMEOUT;
	sqe->addr = PERIOD_TS;
	sqe->len = 1;
	sqe->user_data = ticks;
}

static __always_inline void on_start(struct iou_step *s)
{
	arm(s);
}

static __always_inline void on_completion(struct iou_step *s, const struct io_uring_cqe *cqe)
{
	if (cqe->res != -ETIME) {
		/* cancelled or failed: report and stop */
		iou_emit_cqe(ticks, cqe->res, 0);
		iou_stop(s);
		return;
	}
	ticks++;
	iou_emit_cqe(ticks, 0, 0);
	if (TICKS != 0 && ticks >= TICKS) {
		iou_stop(s);
		return;
	}
	arm(s);
}

IOU_LOOP_STEP(ticker)
