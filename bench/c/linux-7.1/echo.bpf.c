/* examples/echo on linux-7.1: accept a connection, then recv -> send the same bytes -> recv ...
 * until the client closes; then close it and accept the next one. One connection at a time,
 * so the user_data only needs the stage. */
#include "iou71.h"

#define MSG_NOSIGNAL 0x4000
#define SOCK_CLOEXEC 0x80000

enum { STAGE_ACCEPT = 1, STAGE_RECV = 2, STAGE_SEND = 3, STAGE_CLOSE = 4 };

const volatile __s32 LISTEN_FD; /* a listening TCP socket */
const volatile __u64 BUF;       /* user-space buffer of BUF_LEN bytes */
const volatile __u32 BUF_LEN;
const volatile __u64 MAX_CONNS; /* stop after serving this many connections (0: never) */

__s32 conn = -1; /* the connection being served */
__u64 served;
__u64 echoed;

static __always_inline void queue_accept(struct iou_step *s)
{
	struct io_uring_sqe *sqe = iou_sqe(s);

	if (!sqe)
		return;
	sqe->opcode = IORING_OP_ACCEPT;
	sqe->fd = LISTEN_FD;
	sqe->accept_flags = SOCK_CLOEXEC;
	sqe->user_data = STAGE_ACCEPT;
}

static __always_inline void queue_recv(struct iou_step *s)
{
	struct io_uring_sqe *sqe = iou_sqe(s);

	if (!sqe)
		return;
	sqe->opcode = IORING_OP_RECV;
	sqe->fd = conn;
	sqe->addr = BUF;
	sqe->len = BUF_LEN;
	sqe->user_data = STAGE_RECV;
}

static __always_inline void queue_close(struct iou_step *s)
{
	struct io_uring_sqe *sqe = iou_sqe(s);

	if (!sqe)
		return;
	sqe->opcode = IORING_OP_CLOSE;
	sqe->fd = conn;
	sqe->user_data = STAGE_CLOSE;
}

static __always_inline void on_start(struct iou_step *s)
{
	queue_accept(s);
}

static __always_inline void on_completion(struct iou_step *s, const struct io_uring_cqe *cqe)
{
	struct io_uring_sqe *sqe;

	switch (cqe->user_data) {
	case STAGE_ACCEPT:
		if (cqe->res < 0) {
			iou_emit_cqe(STAGE_ACCEPT, cqe->res, 0);
			iou_stop(s);
			return;
		}
		conn = cqe->res;
		queue_recv(s);
		break;
	case STAGE_RECV:
		if (cqe->res <= 0) {
			/* 0: the client closed; < 0: an error. Either way the connection is done. */
			queue_close(s);
			return;
		}
		sqe = iou_sqe(s);
		if (!sqe)
			return;
		sqe->opcode = IORING_OP_SEND;
		sqe->fd = conn;
		sqe->addr = BUF;
		sqe->len = (__u32)cqe->res;
		sqe->msg_flags = MSG_NOSIGNAL;
		sqe->user_data = STAGE_SEND;
		break;
	case STAGE_SEND:
		if (cqe->res < 0) {
			queue_close(s);
			return;
		}
		echoed += (__u32)cqe->res;
		queue_recv(s);
		break;
	case STAGE_CLOSE:
		served++;
		iou_emit_cqe(echoed, (__s32)served, 0); /* one record per finished connection */
		conn = -1;
		if (MAX_CONNS != 0 && served >= MAX_CONNS) {
			iou_stop(s);
			return;
		}
		queue_accept(s);
		break;
	}
}

IOU_LOOP_STEP(echo)
