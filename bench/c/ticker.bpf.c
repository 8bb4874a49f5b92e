/* examples/ticker: a timeout that re-arms itself on CQ 1 (the CQ this program waits on); every
 * tick is forwarded to user space on CQ 0 with its sequence number, until TICKS ticks. */
#include "iouring_v2.h"

/* SQEs are zeroed and then assigned: for this program clang-19 makes smaller code from that than
 * from a designated initialiser (docs/bench.md). */

#define TICK_CQ 1
#define ETIME 62

const volatile __u64 PERIOD_TS = 0; /* struct __kernel_timespec holding the period */
const volatile __u64 TICKS = 0;	    /* ticks before stopping (0: forever) */

__u64 ticks;
__u8 started;

static __always_inline void arm(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe = {};

	sqe.opcode = IORING_OP_TIMEOUT;
	sqe.addr = PERIOD_TS;
	sqe.len = 1; /* one timespec */
	sqe.user_data = ticks;
	sqe.sqe_cq_idx = TICK_CQ;

	iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
}

SEC("iouring.s/ticker")
int ticker(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_cqe cqe;

	if (!started) {
		started = 1;
		arm(ctx);
	}
	for (int n = 0; n < REAP_BATCH; n++) {
		if (iouring_reap_cqe(ctx, ctx->wait_idx, &cqe, sizeof(cqe)) < 0)
			break;
		if (cqe.res != -ETIME) {
			/* cancelled or failed: report and stop */
			iouring_emit_cqe(ctx, 0, ticks, cqe.res, 0);
			goto stop;
		}
		ticks++;
		iouring_emit_cqe(ctx, 0, ticks, 0, 0);
		if (TICKS != 0 && ticks >= TICKS)
			goto stop;
		arm(ctx);
	}
	ctx->wait_nr = 1;
	return 0;
stop:
	ctx->wait_nr = 0;
	return 0;
}
