/* examples/ping-pong (pong): returns every ball to ping's CQ 1 with its hit count increased;
 * stops when ping says so (res -1). No onStart, so no first-run flag. */
#include "iouring_v2.h"

#define PING_CQ 1
#define STOP (-1)

__u64 returned;

SEC("iouring/pong")
int pong(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_cqe cqe;

	for (int n = 0; n < REAP_BATCH; n++) {
		if (iouring_reap_cqe(ctx, ctx->wait_idx, &cqe, sizeof(cqe)) < 0)
			break;
		if (cqe.res == STOP) {
			bpf_printk("pong: returned %llu balls\n", returned);
			goto stop;
		}
		returned++;
		iouring_emit_cqe(ctx, PING_CQ, cqe.user_data + 1, 0, 0);
	}
	ctx->wait_nr = 1;
	return 0;
stop:
	ctx->wait_nr = 0;
	return 0;
}
