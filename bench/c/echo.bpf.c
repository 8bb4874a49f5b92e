/* examples/echo: accept a connection, then recv -> send the same bytes -> recv ... until the
 * client closes; then close it and accept the next one. One connection at a time, so the
 * user_data only needs the stage. */
#include "iouring_v2.h"

#define MSG_NOSIGNAL 0x4000
#define SOCK_CLOEXEC 0x80000
enum stage { STAGE_ACCEPT = 1, STAGE_RECV = 2, STAGE_SEND = 3, STAGE_CLOSE = 4 };

const volatile __s32 LISTEN_FD = 0; /* a listening TCP socket */
const volatile __u64 BUF = 0;	    /* user-space buffer of BUF_LEN bytes */
const volatile __u32 BUF_LEN = 0;
const volatile __u64 MAX_CONNS = 0; /* stop after serving this many connections (0: never) */

__s32 conn = -1; /* the connection being served */
__u64 served;
__u64 echoed;
__u8 started;

static __always_inline void queue_recv(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe = {
		.opcode = IORING_OP_RECV,
		.fd = conn,
		.addr = BUF,
		.len = BUF_LEN,
		.user_data = STAGE_RECV,
	};

	iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
}

static __always_inline void queue_accept(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe = {
		.opcode = IORING_OP_ACCEPT,
		.fd = LISTEN_FD,
		.accept_flags = SOCK_CLOEXEC,
		.user_data = STAGE_ACCEPT,
	};

	iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
}

static __always_inline void queue_close(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_sqe sqe = {
		.opcode = IORING_OP_CLOSE,
		.fd = conn,
		.user_data = STAGE_CLOSE,
	};

	iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
}

SEC("iouring.s/echo")
int echo(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_cqe cqe;

	if (!started) {
		started = 1;
		queue_accept(ctx);
	}
	for (int n = 0; n < REAP_BATCH; n++) {
		if (iouring_reap_cqe(ctx, ctx->wait_idx, &cqe, sizeof(cqe)) < 0)
			break;
		switch (cqe.user_data) {
		case STAGE_ACCEPT:
			if (cqe.res < 0) {
				iouring_emit_cqe(ctx, 0, STAGE_ACCEPT, cqe.res, 0);
				goto stop;
			}
			conn = cqe.res;
			queue_recv(ctx);
			break;
		case STAGE_RECV:
			if (cqe.res <= 0) {
				/* 0: the client closed; < 0: an error. Either way the connection is done. */
				queue_close(ctx);
				break;
			}
			{
				struct io_uring_sqe sqe = {
					.opcode = IORING_OP_SEND,
					.fd = conn,
					.addr = BUF,
					.len = (__u32)cqe.res,
					.msg_flags = MSG_NOSIGNAL,
					.user_data = STAGE_SEND,
				};
				iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
			}
			break;
		case STAGE_SEND:
			if (cqe.res < 0) {
				queue_close(ctx);
				break;
			}
			echoed += (__u64)cqe.res;
			queue_recv(ctx);
			break;
		case STAGE_CLOSE:
			served++;
			iouring_emit_cqe(ctx, 0, echoed, (__s32)served, 0); /* one CQE per connection */
			conn = -1;
			if (MAX_CONNS != 0 && served >= MAX_CONNS)
				goto stop;
			queue_accept(ctx);
			break;
		}
	}
	ctx->wait_nr = 1;
	return 0;
stop:
	ctx->wait_nr = 0;
	return 0;
}
