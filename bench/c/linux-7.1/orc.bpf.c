/* examples/open-read-close on linux-7.1: open a file, read its first block using the fd that
 * the open's CQE returned, then close that fd; report the bytes read (or the first error). */
#include "iou71.h"

#define AT_FDCWD -100
#define O_RDONLY 0
#define O_CLOEXEC 0x80000

enum { STEP_OPEN = 1, STEP_READ = 2, STEP_CLOSE = 3 };

const volatile __u64 PATH; /* NUL-terminated path in user memory */
const volatile __u64 BUF;  /* buffer for the data */
const volatile __u32 BUF_LEN;

__s32 fd = -1;
__s32 result; /* bytes read, or the error to report */

static __always_inline void on_start(struct iou_step *s)
{
	struct io_uring_sqe *sqe = iou_sqe(s);

	if (!sqe)
		return;
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = PATH;
	sqe->open_flags = O_RDONLY | O_CLOEXEC;
	sqe->user_data = STEP_OPEN;
}

static __always_inline void on_completion(struct iou_step *s, const struct io_uring_cqe *cqe)
{
	struct io_uring_sqe *sqe;

	switch (cqe->user_data) {
	case STEP_OPEN:
		if (cqe->res < 0) {
			iou_emit_cqe(STEP_OPEN, cqe->res, 0);
			iou_stop(s);
			return;
		}
		fd = cqe->res; /* the new descriptor is the open's result */
		sqe = iou_sqe(s);
		if (!sqe)
			return;
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = BUF;
		sqe->len = BUF_LEN;
		sqe->user_data = STEP_READ;
		break;
	case STEP_READ:
		result = cqe->res;
		sqe = iou_sqe(s);
		if (!sqe)
			return;
		sqe->opcode = IORING_OP_CLOSE;
		sqe->fd = fd;
		sqe->user_data = STEP_CLOSE;
		break;
	case STEP_CLOSE:
		iou_emit_cqe(STEP_READ, result, 0);
		iou_stop(s);
		break;
	}
}

IOU_LOOP_STEP(orc)
