/* examples/copy on linux-7.1: read a block, write the bytes the read returned, repeat until
 * SIZE bytes are written or the input ends. Plain file descriptors, one user buffer. */
#include "iou71.h"

#define BLOCK (16 * 1024)

enum { TAG_READ = 1, TAG_WRITE = 2 };

const volatile __s32 IN_FD;  /* input file descriptor */
const volatile __s32 OUT_FD; /* output file descriptor */
const volatile __u64 BUF;    /* user-space address of a BLOCK-byte buffer */
const volatile __u64 SIZE;   /* bytes to copy */

__u64 offset; /* bytes written so far */

static __always_inline void queue_read(struct iou_step *s, __u64 off)
{
	struct io_uring_sqe *sqe = iou_sqe(s);

	if (!sqe)
		return;
	sqe->opcode = IORING_OP_READ;
	sqe->fd = IN_FD;
	sqe->addr = BUF;
	sqe->len = BLOCK;
	sqe->off = off;
	sqe->user_data = TAG_READ;
}

static __always_inline void finish(struct iou_step *s, __s32 res)
{
	iou_emit_cqe(0, res, 0);
	iou_stop(s);
}

static __always_inline void on_start(struct iou_step *s)
{
	queue_read(s, 0);
}

static __always_inline void on_completion(struct iou_step *s, const struct io_uring_cqe *cqe)
{
	struct io_uring_sqe *sqe;

	if (cqe->res < 0) {
		iou_emit_cqe(cqe->user_data, cqe->res, 0);
		iou_stop(s);
		return;
	}
	switch (cqe->user_data) {
	case TAG_READ:
		if (cqe->res == 0) {
			finish(s, (__s32)offset);
			return;
		}
		sqe = iou_sqe(s);
		if (!sqe)
			return;
		sqe->opcode = IORING_OP_WRITE;
		sqe->fd = OUT_FD;
		sqe->addr = BUF;
		sqe->len = (__u32)cqe->res;
		sqe->off = offset;
		sqe->user_data = TAG_WRITE;
		break;
	case TAG_WRITE:
		offset += (__u32)cqe->res;
		if (offset >= SIZE) {
			finish(s, (__s32)offset);
			return;
		}
		queue_read(s, offset);
		break;
	}
}

IOU_LOOP_STEP(copy)
