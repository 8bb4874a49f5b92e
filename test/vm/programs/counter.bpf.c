// A clang-built iouring-v2 program for the VM tests: BTF-defined maps, global data, a
// subprogram, and the io_uring helpers by number (abi.md). Build:
//   clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c counter.bpf.c -o counter.bpf.o
#include <linux/types.h>

#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

struct io_uring_bpf_ctx { __u64 user_data; __u32 wait_nr; __u32 wait_idx; };
struct cqe { __u64 user_data; __s32 res; __u32 flags; };
struct sqe { __u8 opcode, flags; __u16 ioprio; __s32 fd; __u64 off, addr; __u32 len, op_flags;
             __u64 user_data; __u16 buf_index, personality; __s32 splice_fd_in; __u16 cq_idx; __u16 pad[3]; __u64 pad2; };

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*iouring_queue_sqe)(void *ctx, const void *sqe, __u32 len) = (void *)164;
static long (*iouring_reap_cqe)(void *ctx, __u32 cq, void *out, __u32 len) = (void *)166;

struct {
  __uint(type, 2);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

const volatile __u32 total_writes = 16;
__u32 in_flight;

static __attribute__((noinline)) int queue_write(struct io_uring_bpf_ctx *ctx, __u64 n) {
  struct sqe s = {};
  s.opcode = 23; /* WRITE */
  s.fd = 3;
  s.len = 4096;
  s.off = n * 4096;
  s.user_data = n;
  s.cq_idx = 1;
  return iouring_queue_sqe(ctx, &s, sizeof(s));
}

SEC("iouring.s/writer")
int writer(struct io_uring_bpf_ctx *ctx) {
  __u32 k = 0;
  __u64 *done = bpf_map_lookup_elem(&stats, &k);
  if (!done) return 0;
  struct cqe c;
  for (int i = 0; i < 4; i++) {
    if (iouring_reap_cqe(ctx, 1, &c, sizeof(c)) != 0) break;
    in_flight--;
    *done += 1;
  }
  __u64 next = *done + in_flight;
  while (in_flight < 4 && next < total_writes) {
    if (queue_write(ctx, next) < 0) break;
    in_flight++;
    next++;
  }
  ctx->wait_nr = in_flight ? 1 : 0;
  ctx->wait_idx = 1;
  return 0;
}

char _license[] SEC("license") = "GPL";
