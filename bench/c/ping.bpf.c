/* examples/ping-pong (ping): serves first, then returns every ball to pong's CQ with its hit
 * count increased; after ROUNDS hits tells pong to stop (res -1), reports on CQ 0 and stops.
 * No SQEs are queued, so the program is not sleepable. */
#include "iouring_v2.h"

#define PONG_CQ 2
#define ROUNDS 100
#define STOP (-1)

__u8 started;

SEC("iouring/ping")
int ping(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_cqe cqe;

	if (!started) {
		started = 1;
		iouring_emit_cqe(ctx, PONG_CQ, 0, 0, 0); /* serve the first ball */
	}
	for (int n = 0; n < REAP_BATCH; n++) {
		if (iouring_reap_cqe(ctx, ctx->wait_idx, &cqe, sizeof(cqe)) < 0)
			break;
		if (cqe.res == STOP)
			goto stop;
		__u64 ball = cqe.user_data + 1;
		if (ball >= ROUNDS) {
			iouring_emit_cqe(ctx, PONG_CQ, ball, STOP, 0);
			iouring_emit_cqe(ctx, 0, ball, (__s32)ball, 0); /* CQ 0: user space */
			goto stop;
		}
		iouring_emit_cqe(ctx, PONG_CQ, ball, 0, 0);
	}
	ctx->wait_nr = 1;
	return 0;
stop:
	ctx->wait_nr = 0;
	return 0;
}
