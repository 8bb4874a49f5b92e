/* What every C version of an example needs for the iouring-v2 target (docs/abi: May 2021
 * "io_uring BPF requests" RFC): the context, the helpers by id, and the reap batch that
 * ioubpf's generated plumbing uses, so both sides do the same work per run. */
#ifndef IOUBPF_BENCH_IOURING_V2_H
#define IOUBPF_BENCH_IOURING_V2_H

#include <linux/types.h>
#include <linux/io_uring.h>
#include <bpf/bpf_helpers.h>

struct io_uring_bpf_ctx {
	__u64 user_data;
	__u32 wait_nr;
	__u32 wait_idx;
};

static long (*iouring_queue_sqe)(void *ctx, const void *sqe, __u32 len) = (void *)164;
static long (*iouring_emit_cqe)(void *ctx, __u32 cq_idx, __u64 user_data, __s32 res,
				__u32 flags) = (void *)165;
static long (*iouring_reap_cqe)(void *ctx, __u32 cq_idx, void *cqe_out, __u32 len) = (void *)166;

/* CQEs reaped per run at most: ioubpf's default reap batch. */
#define REAP_BATCH 16

/* The RFC adds `__u16 cq_idx` at offset 48, where mainline has addr3; assigning addr3 writes
 * the same bytes (the upper ones stay zero). */
#define sqe_cq_idx addr3

char LICENSE[] SEC("license") = "GPL";

#endif
