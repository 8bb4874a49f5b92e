/* What every C version of an example needs for the linux-7.1 target (docs/linux-7.1.md):
 * the io_uring_bpf_ops struct_ops type, the two io_uring kfuncs, the ring geometry that the
 * loader writes into .rodata before load, the `iou_emit` ring buffer, and the per-step
 * plumbing (regions, onStart once, bounded CQ walk, one submit per step, cq_wait_idx).
 *
 * A program includes this header, defines IOU_PROG to its name, writes
 *   static void on_start(struct iou_step *s);
 *   static void on_completion(struct iou_step *s, const struct io_uring_cqe *cqe);
 * and ends with IOU_LOOP_STEP(name). */
#ifndef IOUBPF_BENCH_IOU71_H
#define IOUBPF_BENCH_IOU71_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <bpf/bpf_helpers.h>

#ifndef EFAULT
#define EFAULT 14
#endif

/* ---- the kernel's types (Linux 7.1, io_uring/bpf-ops) ---- */
/* The loop context is opaque; the kernel's BTF names it `struct iou_ctx` (size 0). It must be
 * a complete (empty) struct here, not a forward declaration: libbpf matches the kfunc
 * prototypes against vmlinux BTF kind by kind, and FWD is not STRUCT. */
struct iou_ctx {};

struct iou_loop_params {
	__u32 cq_wait_idx;
};

struct io_uring_bpf_ops {
	int (*loop_step)(struct iou_ctx *ctx, struct iou_loop_params *lp);
	__u32 ring_fd;
	void *priv;
};

#define IOU_LOOP_CONTINUE 0
#define IOU_LOOP_STOP 1

#define IOU_REGION_CQ 1
#define IOU_REGION_SQ 2

extern __u8 *bpf_io_uring_get_region(struct iou_ctx *ctx, __u32 region_id,
				     const __SIZE_TYPE__ rdwr_buf_size) __weak __ksym;
extern int bpf_io_uring_submit_sqes(struct iou_ctx *ctx, __u32 nr) __weak __ksym;

/* Open-coded numeric iterator (kfuncs of every program type since Linux 6.4): the verifier
 * checks the loop body until its states converge instead of once per iteration, which keeps
 * a 64-CQE walk far below the 1M-instruction budget. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

/* ---- ring geometry, filled by the loader from io_uring_params before load ---- */
const volatile __u32 iou_cq_head_off;
const volatile __u32 iou_cq_tail_off;
const volatile __u32 iou_cqes_off;
const volatile __u32 iou_cq_entries;
const volatile __u32 iou_sq_entries;

/* CQEs handled per step at most (ioubpf's default --cq-batch). */
#ifndef IOU_CQ_BATCH
#define IOU_CQ_BATCH 64
#endif

/* ---- emit: 16-byte CQE-shaped records to user space ---- */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} iou_emit SEC(".maps");

struct iou_emit_rec {
	__u64 user_data;
	__s32 res;
	__u32 flags;
};

static __always_inline void iou_emit_cqe(__u64 user_data, __s32 res, __u32 flags)
{
	struct iou_emit_rec r = { .user_data = user_data, .res = res, .flags = flags };

	bpf_ringbuf_output(&iou_emit, &r, sizeof(r), 0);
}

/* ---- one step's state: where the next SQE goes, and whether to stop ---- */
struct iou_step {
	__u8 *sq;
	__u32 stop;
};

/* SQEs written this step (SQ_REWIND: slots 0..n-1). Kept in .bss rather than in a register
 * on purpose: a register count would be a precise scalar, and the verifier would walk the
 * CQ loop once per possible count; a value loaded from memory is unknown, the bounds check
 * below gives it its range, and the loop's states prune. */
__u32 iou_sq_used;

/* The next SQ slot of this step, zeroed, or NULL when the step's slots are used up. */
static __always_inline struct io_uring_sqe *iou_sqe(struct iou_step *s)
{
	struct io_uring_sqe *sqe;
	__u32 n = iou_sq_used;

	if (n >= iou_sq_entries)
		return NULL;
	sqe = (struct io_uring_sqe *)(s->sq + (__u64)n * sizeof(*sqe));
	__builtin_memset(sqe, 0, sizeof(*sqe));
	iou_sq_used = n + 1;
	return sqe;
}

static __always_inline void iou_stop(struct iou_step *s)
{
	s->stop = 1;
}

char LICENSE[] SEC("license") = "GPL";

/* ---- the plumbing: one loop_step ---- */
#define IOU_CAT_(a, b) a##b
#define IOU_CAT(a, b) IOU_CAT_(a, b)
#define IOU_STATE(P, what) IOU_CAT(P, IOU_CAT(__iou_, what))

#define IOU_LOOP_STEP(P)                                                                     \
	__u8 IOU_STATE(P, started);                                                          \
	__u32 IOU_STATE(P, inflight);                                                        \
	__u32 IOU_STATE(P, steps);                                                           \
	__s32 IOU_STATE(P, error);                                                           \
	__u8 IOU_STATE(P, idle);                                                             \
                                                                                             \
	/* struct_ops programs get their arguments as an array of u64 (what BPF_PROG  */     \
	/* unpacks): args[0] = struct iou_ctx *, args[1] = struct iou_loop_params *. */  \
	SEC("struct_ops.s/" #P)                                                              \
	int P(unsigned long long *args)                                                      \
	{                                                                                    \
		struct iou_ctx *ctx = (struct iou_ctx *)args[0];                     \
		struct iou_loop_params *lp = (struct iou_loop_params *)args[1];              \
		struct iou_step s = {};                                                      \
		__u32 mask = iou_cq_entries - 1, head, tail;                                 \
		struct bpf_iter_num it;                                                      \
		__u8 *cq;                                                                    \
                                                                                             \
		cq = bpf_io_uring_get_region(ctx, IOU_REGION_CQ,                             \
					     iou_cqes_off + iou_cq_entries * 16);            \
		s.sq = bpf_io_uring_get_region(ctx, IOU_REGION_SQ, iou_sq_entries * 64);     \
		if (!cq || !s.sq) {                                                          \
			IOU_STATE(P, error) = -EFAULT;                                       \
			return IOU_LOOP_STOP;                                                \
		}                                                                            \
		IOU_STATE(P, steps)++;                                                       \
		iou_sq_used = 0;                                                             \
		if (!IOU_STATE(P, started)) {                                                \
			IOU_STATE(P, started) = 1;                                           \
			on_start(&s);                                                        \
		}                                                                            \
		head = *(volatile __u32 *)(cq + iou_cq_head_off);                            \
		tail = *(volatile __u32 *)(cq + iou_cq_tail_off);                            \
		bpf_iter_num_new(&it, 0, IOU_CQ_BATCH);                                      \
		while (bpf_iter_num_next(&it)) {                                             \
			const struct io_uring_cqe *cqe;                                      \
			if (head == tail || s.stop)                                          \
				break;                                                       \
			cqe = (const struct io_uring_cqe *)(cq + iou_cqes_off +              \
							    (__u64)(head & mask) * 16);      \
			if (!(cqe->flags & IORING_CQE_F_MORE) && IOU_STATE(P, inflight))     \
				IOU_STATE(P, inflight)--;                                    \
			head++;                                                              \
			on_completion(&s, cqe);                                              \
		}                                                                            \
		bpf_iter_num_destroy(&it);                                                   \
		*(volatile __u32 *)(cq + iou_cq_head_off) = head;                            \
		if (iou_sq_used) {                                                           \
			int r = bpf_io_uring_submit_sqes(ctx, iou_sq_used);                  \
			if (r < 0) {                                                         \
				IOU_STATE(P, error) = r;                                     \
				return IOU_LOOP_STOP;                                        \
			}                                                                    \
			IOU_STATE(P, inflight) += r;                                         \
		}                                                                            \
		if (s.stop)                                                                  \
			return IOU_LOOP_STOP;                                                \
		tail = *(volatile __u32 *)(cq + iou_cq_tail_off);                            \
		if (head != tail) {                                                          \
			lp->cq_wait_idx = head;                                              \
		} else if (IOU_STATE(P, inflight)) {                                         \
			lp->cq_wait_idx = head + 1;                                          \
		} else {                                                                     \
			IOU_STATE(P, idle) = 1;                                              \
			return IOU_LOOP_STOP;                                                \
		}                                                                            \
		return IOU_LOOP_CONTINUE;                                                    \
	}                                                                                    \
                                                                                             \
	SEC(".struct_ops.link")                                                              \
	struct io_uring_bpf_ops IOU_CAT(P, _ops) = {                                         \
		.loop_step = (void *)P,                                                      \
	};

#endif
