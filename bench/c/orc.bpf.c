/* examples/open-read-close: open a file, read its first block using the fd that the open's CQE
 * returned, then close that fd; report the bytes read (or the first error) to user space. */
#include "iouring_v2.h"

/* SQEs are zeroed and then assigned: for this program clang-19 makes smaller code from that than
 * from a designated initialiser (docs/bench.md). */

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_CLOEXEC 0x80000
enum step { STEP_OPEN = 1, STEP_READ = 2, STEP_CLOSE = 3 };

const volatile __u64 PATH = 0; /* NUL-terminated path in user memory */
const volatile __u64 BUF = 0;
const volatile __u32 BUF_LEN = 0;

__s32 fd = -1;
__s32 result; /* bytes read, or the error to report */
__u8 started;

SEC("iouring.s/orc")
int orc(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_cqe cqe;

	if (!started) {
		started = 1;
		struct io_uring_sqe sqe = {};

		sqe.opcode = IORING_OP_OPENAT;
		sqe.fd = AT_FDCWD;
		sqe.addr = PATH;
		sqe.open_flags = O_RDONLY | O_CLOEXEC;
		sqe.user_data = STEP_OPEN;
		iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
	}
	for (int n = 0; n < REAP_BATCH; n++) {
		if (iouring_reap_cqe(ctx, ctx->wait_idx, &cqe, sizeof(cqe)) < 0)
			break;
		switch (cqe.user_data) {
		case STEP_OPEN: {
			if (cqe.res < 0) {
				iouring_emit_cqe(ctx, 0, STEP_OPEN, cqe.res, 0);
				goto stop;
			}
			fd = cqe.res; /* the new descriptor is the open's result */
			struct io_uring_sqe sqe = {};

			sqe.opcode = IORING_OP_READ;
			sqe.fd = fd;
			sqe.addr = BUF;
			sqe.len = BUF_LEN;
			sqe.user_data = STEP_READ;
			iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
			break;
		}
		case STEP_READ: {
			result = cqe.res;
			struct io_uring_sqe sqe = {};

			sqe.opcode = IORING_OP_CLOSE;
			sqe.fd = fd;
			sqe.user_data = STEP_CLOSE;
			iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
			break;
		}
		case STEP_CLOSE:
			iouring_emit_cqe(ctx, 0, STEP_READ, result, 0);
			goto stop;
		}
	}
	ctx->wait_nr = 1;
	return 0;
stop:
	ctx->wait_nr = 0;
	return 0;
}
