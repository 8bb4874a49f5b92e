/* examples/copy: read a block, write the bytes the read returned, repeat until SIZE bytes are
 * written or the input ends. Both files and the buffer are registered by user space. */
#include "iouring_v2.h"

#define BLOCK (16 * 1024)
enum tag { TAG_READ = 1, TAG_WRITE = 2 };

const volatile __s32 IN_FD = 0;
const volatile __s32 OUT_FD = 0;
const volatile __u64 BUF = 0;
const volatile __u64 SIZE = 0;

__u64 offset;
__u8 started;

static __always_inline void queue_read(struct io_uring_bpf_ctx *ctx, __u64 off)
{
	struct io_uring_sqe sqe = {
		.opcode = IORING_OP_READ,
		.flags = IOSQE_FIXED_FILE,
		.fd = IN_FD,
		.off = off,
		.addr = BUF,
		.len = BLOCK,
		.user_data = TAG_READ,
	};

	iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
}

SEC("iouring.s/copy")
int copy(struct io_uring_bpf_ctx *ctx)
{
	struct io_uring_cqe cqe;

	if (!started) {
		started = 1;
		queue_read(ctx, 0);
	}
	for (int n = 0; n < REAP_BATCH; n++) {
		if (iouring_reap_cqe(ctx, ctx->wait_idx, &cqe, sizeof(cqe)) < 0)
			break;
		if (cqe.res < 0) {
			iouring_emit_cqe(ctx, 0, cqe.user_data, cqe.res, 0);
			goto stop;
		}
		switch (cqe.user_data) {
		case TAG_READ:
			if (cqe.res == 0)
				goto finish;
			{
				struct io_uring_sqe sqe = {
					.opcode = IORING_OP_WRITE,
					.flags = IOSQE_FIXED_FILE,
					.fd = OUT_FD,
					.off = offset,
					.addr = BUF,
					.len = (__u32)cqe.res,
					.user_data = TAG_WRITE,
				};
				iouring_queue_sqe(ctx, &sqe, sizeof(sqe));
			}
			break;
		case TAG_WRITE:
			offset += (__u64)cqe.res;
			if (offset >= SIZE)
				goto finish;
			queue_read(ctx, offset);
			break;
		}
	}
	ctx->wait_nr = 1;
	return 0;
finish:
	iouring_emit_cqe(ctx, 0, 0, (__s32)offset, 0);
stop:
	ctx->wait_nr = 0;
	return 0;
}
