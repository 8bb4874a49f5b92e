/* examples/nop-pump: keep INFLIGHT NOPs in flight until TOTAL have completed, then report the
 * count and the elapsed time. */
#include "iouring_v2.h"

#define INFLIGHT 8
#define TOTAL 1000

__u64 queued;
__u64 completed;
__u64 start_ns;
__u8 started;

static __always_inline void queue_one(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe = {
		.opcode = IORING_OP_NOP,
		.user_data = queued,
	};

	if (iouring_queue_sqe(ctx, &sqe, sizeof(sqe)) == 1)
		queued++;
}

SEC("iouring.s/nop_pump")
int nop_pump(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_cqe cqe;

	if (!started) {
		started = 1;
		start_ns = bpf_ktime_get_ns();
		for (__u32 i = 0; i < INFLIGHT; i++)
			queue_one(ctx);
	}
	for (int n = 0; n < REAP_BATCH; n++) {
		if (iouring_reap_cqe(ctx, ctx->wait_idx, &cqe, sizeof(cqe)) < 0)
			break;
		if (cqe.res < 0) {
			iouring_emit_cqe(ctx, 0, cqe.user_data, cqe.res, 0);
			goto stop;
		}
		completed++;
		if (completed >= TOTAL) {
			/* user_data: elapsed nanoseconds; res: completions */
			iouring_emit_cqe(ctx, 0, bpf_ktime_get_ns() - start_ns, (__s32)completed, 0);
			goto stop;
		}
		if (queued < TOTAL)
			queue_one(ctx);
	}
	ctx->wait_nr = 1;
	return 0;
stop:
	ctx->wait_nr = 0;
	return 0;
}
