// iou-libbpf-loader: loads any linux-7.1 object (docs/linux-7.1.md) with libbpf, runs it on a
// fresh io_uring and prints ONE JSON object on stdout:
//   {"loaded","attached","verifierLog","processed","ret","stop","elapsedNs","emits","globals","error"}
// Usage: iou-libbpf-loader OBJ [--set NAME=VALUE]... [--fd NAME=PATH[:r|w|rw]]...
//          [--buf NAME=BYTES]... [--listen NAME=PORT] [--sq N] [--cq N] [--timeout SEC]
//          [--str NAME=TEXT]... [--log-level N]
// --str (beyond the shared interface) copies TEXT, NUL-terminated, into mapped memory and sets
// NAME to its address (paths for openat); --log-level is the verifier's (default 1).
// Exit status 0 when the program loaded, attached and stopped by itself; 1 otherwise; 2 on
// bad usage.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* bookworm's uapi header predates these setup flags. */
#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER (1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN (1U << 13)
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#endif
#ifndef IORING_SETUP_SQ_REWIND
#define IORING_SETUP_SQ_REWIND (1U << 20)
#endif

#define LOG_SIZE (16u << 20)
#define LOG_KEEP_HEAD (64u << 10)
#define LOG_KEEP_TAIL (256u << 10)
#define MAX_ARGS 64

/* ---- a growable string, for the log and the JSON output ---- */
struct str {
  char *p;
  size_t n, cap;
};
static void str_addn(struct str *s, const char *p, size_t n) {
  if (s->n + n + 1 > s->cap) {
    s->cap = (s->n + n + 1) * 2;
    s->p = realloc(s->p, s->cap);
  }
  memcpy(s->p + s->n, p, n);
  s->n += n;
  s->p[s->n] = 0;
}
static void str_add(struct str *s, const char *p) { str_addn(s, p, strlen(p)); }
static void str_fmt(struct str *s, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  str_addn(s, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
static void str_json(struct str *s, const char *p) {
  str_add(s, "\"");
  for (; p && *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      str_addn(s, e, 2);
    } else if (c == '\n') str_add(s, "\\n");
    else if (c == '\t') str_add(s, "\\t");
    else if (c < 0x20) str_fmt(s, "\\u%04x", c);
    else str_addn(s, (const char *)&c, 1);
  }
  str_add(s, "\"");
}

static struct str libbpf_msgs; /* everything libbpf printed */
static struct str error_msg;   /* the first error, for "error" */

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap) {
  char tmp[4096];
  (void)level;
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  if (n > 0) str_addn(&libbpf_msgs, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
  return 0;
}
static void fail(const char *fmt, ...) {
  if (error_msg.n) return;
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  str_add(&error_msg, tmp);
}

/* ---- .rodata variables ---- */
struct setting {
  const char *name;
  unsigned long long value;
};
static struct setting settings[MAX_ARGS * 4];
static int nsettings;
static void set_var(const char *name, unsigned long long value) {
  for (int i = 0; i < nsettings; i++)
    if (!strcmp(settings[i].name, name)) {
      settings[i].value = value;
      return;
    }
  settings[nsettings].name = name;
  settings[nsettings++].value = value;
}

/* Geometry globals: filled from io_uring_params unless the user gave a value. */
static void set_default(const char *name, unsigned long long value) {
  for (int i = 0; i < nsettings; i++)
    if (!strcmp(settings[i].name, name)) return;
  set_var(name, value);
}

static const struct btf *g_btf; /* the object's BTF */

static int has_suffix(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

/* Follows typedef/const/volatile/restrict to the underlying type. */
static const struct btf_type *resolve(const struct btf *btf, __u32 id) {
  const struct btf_type *t = btf__type_by_id(btf, id);
  while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t)))
    t = btf__type_by_id(btf, t->type);
  return t;
}

/* Writes the requested values into the variables of a DATASEC map's initial image. `used`
 * marks which settings found a home; geometry globals are optional. */
static void fill_datasec(struct bpf_map *map, int *used) {
  const struct btf *btf = g_btf;
  __u32 id = bpf_map__btf_value_type_id(map);
  const struct btf_type *sec = btf ? btf__type_by_id(btf, id) : NULL;
  size_t size = 0;
  unsigned char *data = bpf_map__initial_value(map, &size);
  if (!sec || !btf_is_datasec(sec) || !data) return;
  const struct btf_var_secinfo *vi = btf_var_secinfos(sec);
  for (int k = 0; k < btf_vlen(sec); k++, vi++) {
    const struct btf_type *var = btf__type_by_id(btf, vi->type);
    const char *name = btf__name_by_offset(btf, var->name_off);
    for (int i = 0; i < nsettings; i++) {
      if (strcmp(settings[i].name, name)) continue;
      if (vi->offset + vi->size > size || vi->size > 8) {
        fail("variable %s does not fit (size %u)", name, vi->size);
        continue;
      }
      unsigned long long v = settings[i].value;
      for (unsigned b = 0; b < vi->size; b++) data[vi->offset + b] = (unsigned char)(v >> (8 * b));
      used[i] = 1;
    }
  }
}

/* Appends every variable of a DATASEC map as "name":"decimal" (integers) or hex bytes. */
static void dump_datasec(struct bpf_map *map, struct str *out, int *first) {
  const struct btf *btf = g_btf;
  __u32 id = bpf_map__btf_value_type_id(map);
  const struct btf_type *sec = btf ? btf__type_by_id(btf, id) : NULL;
  size_t size = 0;
  const unsigned char *data = bpf_map__initial_value(map, &size);
  if (!sec || !btf_is_datasec(sec) || !data) return;
  const struct btf_var_secinfo *vi = btf_var_secinfos(sec);
  for (int k = 0; k < btf_vlen(sec); k++, vi++) {
    const struct btf_type *var = btf__type_by_id(btf, vi->type);
    const char *name = btf__name_by_offset(btf, var->name_off);
    if (vi->offset + vi->size > size) continue;
    const struct btf_type *t = resolve(btf, var->type);
    const unsigned char *p = data + vi->offset;
    char val[64];
    if (t && (btf_is_int(t) || btf_is_enum(t) || btf_is_ptr(t)) && vi->size <= 8 && vi->size > 0) {
      unsigned long long u = 0;
      for (unsigned b = 0; b < vi->size; b++) u |= (unsigned long long)p[b] << (8 * b);
      int is_signed = btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED);
      if (is_signed && vi->size < 8 && (u >> (8 * vi->size - 1)) & 1) u |= ~0ULL << (8 * vi->size);
      if (is_signed) snprintf(val, sizeof val, "%lld", (long long)u);
      else snprintf(val, sizeof val, "%llu", u);
      str_add(out, *first ? "" : ",");
      str_json(out, name);
      str_add(out, ":");
      str_json(out, val);
    } else {
      struct str hex = {0};
      str_add(&hex, "0x");
      for (unsigned b = 0; b < vi->size && b < 4096; b++) str_fmt(&hex, "%02x", p[b]);
      str_add(out, *first ? "" : ",");
      str_json(out, name);
      str_add(out, ":");
      str_json(out, hex.p);
      free(hex.p);
    }
    *first = 0;
  }
}

/* Sets the struct_ops map's ring_fd member (found by name in the object's BTF; u32 @8). */
static int set_ring_fd(struct bpf_map *map, int ring_fd) {
  const struct btf *btf = g_btf;
  size_t size = 0;
  unsigned char *data = bpf_map__initial_value(map, &size);
  if (!data) return -1;
  size_t off = 8;
  const struct btf_type *t = btf ? resolve(btf, bpf_map__btf_value_type_id(map)) : NULL;
  if (t && btf_is_struct(t)) {
    const struct btf_member *m = btf_members(t);
    for (int k = 0; k < btf_vlen(t); k++, m++)
      if (!strcmp(btf__name_by_offset(btf, m->name_off), "ring_fd")) off = btf_member_bit_offset(t, k) / 8;
  }
  if (off + 4 > size) return -1;
  memcpy(data + off, &ring_fd, 4);
  return 0;
}

/* ---- emits ---- */
static struct str emits;
static int nemits;
static int on_emit(void *ctx, void *data, size_t len) {
  (void)ctx;
  if (len < 16) return 0;
  unsigned long long ud;
  int res;
  unsigned flags;
  memcpy(&ud, data, 8);
  memcpy(&res, (char *)data + 8, 4);
  memcpy(&flags, (char *)data + 12, 4);
  str_fmt(&emits, "%s{\"userData\":\"0x%llx\",\"res\":%d,\"flags\":%u}", nemits++ ? "," : "", ud, res, flags);
  return 0;
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig) {
  (void)sig;
  alarmed = 1;
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int parse_u64(const char *s, unsigned long long *out) {
  char *end;
  errno = 0;
  if (*s == '-') *out = (unsigned long long)strtoll(s, &end, 0);
  else *out = strtoull(s, &end, 0);
  return errno || end == s || *end ? -1 : 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: iou-libbpf-loader OBJ [--set NAME=VALUE]... [--fd NAME=PATH[:r|w|rw]]...\n"
          "         [--buf NAME=BYTES]... [--listen NAME=PORT] [--sq N] [--cq N] [--timeout SEC]\n"
          "         [--str NAME=TEXT]... [--log-level N]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *obj_path = NULL;
  unsigned sq = 16, cq = 64, timeout = 10, log_level = 1;
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-') {
      if (obj_path) usage();
      obj_path = a;
      continue;
    }
    if (i + 1 >= argc || nsettings >= MAX_ARGS) usage();
    char *v = argv[++i];
    char *eq = strchr(v, '=');
    unsigned long long n;
    if (!strcmp(a, "--log-level")) {
      if (parse_u64(v, &n) || n > 7) usage();
      log_level = (unsigned)n;
      continue;
    }
    if (!strcmp(a, "--sq") || !strcmp(a, "--cq") || !strcmp(a, "--timeout")) {
      if (parse_u64(v, &n) || n == 0 || n > 1u << 20) usage();
      if (a[2] == 's') sq = (unsigned)n;
      else if (a[2] == 'c') cq = (unsigned)n;
      else timeout = (unsigned)n;
      continue;
    }
    if (!eq) usage();
    *eq = 0;
    const char *name = v, *arg = eq + 1;
    if (!strcmp(a, "--set")) {
      if (parse_u64(arg, &n)) usage();
      set_var(name, n);
    } else if (!strcmp(a, "--fd")) {
      char *path = strdup(arg), *colon = strrchr(path, ':');
      int flags = O_RDONLY;
      if (colon && (!strcmp(colon, ":r") || !strcmp(colon, ":w") || !strcmp(colon, ":rw"))) {
        if (!strcmp(colon, ":w")) flags = O_WRONLY | O_CREAT | O_TRUNC;
        else if (!strcmp(colon, ":rw")) flags = O_RDWR | O_CREAT;
        *colon = 0;
      }
      int fd = open(path, flags | O_CLOEXEC, 0644);
      if (fd < 0) {
        fprintf(stderr, "iou-libbpf-loader: %s: %s\n", path, strerror(errno));
        return 2;
      }
      set_var(name, (unsigned)fd);
    } else if (!strcmp(a, "--buf")) {
      if (parse_u64(arg, &n) || n == 0) usage();
      void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) {
        fprintf(stderr, "iou-libbpf-loader: mmap %llu: %s\n", n, strerror(errno));
        return 2;
      }
      set_var(name, (unsigned long long)(uintptr_t)p);
    } else if (!strcmp(a, "--str")) {
      size_t len = strlen(arg) + 1;
      char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) usage();
      memcpy(p, arg, len);
      set_var(name, (unsigned long long)(uintptr_t)p);
    } else if (!strcmp(a, "--listen")) {
      if (parse_u64(arg, &n) || n > 65535) usage();
      int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
      struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((unsigned short)n)};
      sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) || listen(s, 64)) {
        fprintf(stderr, "iou-libbpf-loader: listen 127.0.0.1:%llu: %s\n", n, strerror(errno));
        return 2;
      }
      set_var(name, (unsigned)s);
    } else usage();
  }
  if (!obj_path) usage();
  int user_settings = nsettings;

  libbpf_set_print(on_libbpf_print);
  int loaded = 0, attached = 0, ret = 0, processed = -1;
  const char *stop = "error";
  long long elapsed = 0;
  struct str vlog = {0};
  str_add(&vlog, "");
  struct bpf_object *obj = NULL;
  struct bpf_link *links[16];
  int nlinks = 0;

  /* 0. The object (first, so a bad file is reported as such). */
  obj = bpf_object__open_file(obj_path, NULL);
  if (!obj) {
    fail("cannot open %s: %s", obj_path, strerror(errno));
    goto out;
  }
  /* 1. The ring. */
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_NO_SQARRAY |
            IORING_SETUP_SQ_REWIND | IORING_SETUP_CQSIZE;
  p.cq_entries = cq;
  int ring = (int)syscall(__NR_io_uring_setup, sq, &p);
  if (ring < 0) {
    fail("io_uring_setup: %s%s", strerror(errno),
         errno == EINVAL ? " (SQ_REWIND and the other setup flags need Linux 7.1+)" : "");
    goto out;
  }
  /* 2. Geometry globals (a user value wins). */
  set_default("iou_cq_head_off", p.cq_off.head);
  set_default("iou_cq_tail_off", p.cq_off.tail);
  set_default("iou_cqes_off", p.cq_off.cqes);
  set_default("iou_cq_entries", p.cq_entries);
  set_default("iou_sq_entries", p.sq_entries);

  g_btf = bpf_object__btf(obj);
  int used[MAX_ARGS * 4] = {0};
  struct bpf_map *map;
  int nops = 0;
  bpf_object__for_each_map(map, obj) {
    const char *name = bpf_map__name(map);
    if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS) {
      nops++;
      if (set_ring_fd(map, ring)) fail("struct_ops map %s has no ring_fd member", name);
    } else if (has_suffix(name, ".rodata") || has_suffix(name, ".data") || has_suffix(name, ".bss")) {
      fill_datasec(map, used);
    }
  }
  if (!nops) fail("%s has no struct_ops map (section .struct_ops.link)", obj_path);
  /* The user's settings come first (indexes 0..user_settings-1); each must have a home. */
  for (int i = 0; i < user_settings; i++)
    if (!used[i]) fail("%s declares no global %s", obj_path, settings[i].name);
  if (error_msg.n) goto out;

  char *logbuf = calloc(1, LOG_SIZE);
  struct bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    bpf_program__set_log_buf(prog, logbuf, LOG_SIZE);
    bpf_program__set_log_level(prog, log_level);
  }
  /* 3. Load (libbpf: struct_ops type, sleepable from "struct_ops.s/", attach_btf_id, kfuncs). */
  int err = bpf_object__load(obj);
  /* The statistics line comes last: take the last "processed N insns". */
  for (const char *pr = logbuf; (pr = strstr(pr, "processed ")) != NULL; pr += 10)
    if (pr[10] >= '0' && pr[10] <= '9') processed = atoi(pr + 10);
  /* A level-1 log of a program that hits the 1M-insn budget is megabytes; keep its start and
   * its end (where the verdict is) so the JSON stays small enough for a serial console. */
  size_t loglen = strlen(logbuf);
  if (loglen > LOG_KEEP_HEAD + LOG_KEEP_TAIL) {
    str_addn(&vlog, logbuf, LOG_KEEP_HEAD);
    str_fmt(&vlog, "\n... [%zu bytes of verifier log elided] ...\n", loglen - LOG_KEEP_HEAD - LOG_KEEP_TAIL);
    str_add(&vlog, logbuf + loglen - LOG_KEEP_TAIL);
  } else {
    str_add(&vlog, logbuf);
  }
  free(logbuf);
  if (err) {
    fail("load failed: %s", strerror(-err));
    goto out;
  }
  loaded = 1;
  /* 4. Attach every struct_ops map (creates the map and its link). */
  bpf_object__for_each_map(map, obj) {
    if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS) continue;
    struct bpf_link *l = bpf_map__attach_struct_ops(map);
    if (!l) {
      fail("attaching %s failed: %s", bpf_map__name(map), strerror(errno));
      goto out;
    }
    if (nlinks < 16) links[nlinks++] = l;
  }
  attached = 1;
  /* 5. Run the loop under a timeout. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm; /* no SA_RESTART: the alarm interrupts io_uring_enter */
  sigaction(SIGALRM, &sa, NULL);
  alarm(timeout);
  long long t0 = now_ns();
  long r = syscall(__NR_io_uring_enter, ring, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
  elapsed = now_ns() - t0;
  int e = errno;
  alarm(0);
  ret = r < 0 ? -e : (int)r;
  if (r >= 0) stop = "stopped";
  else if (alarmed) stop = "timeout", fail("io_uring_enter did not return within %u s", timeout);
  else fail("io_uring_enter: %s", strerror(e));

out:;
  /* 6. Globals and emits. */
  struct str out = {0};
  str_fmt(&out, "{\"loaded\":%s,\"attached\":%s,\"verifierLog\":", loaded ? "true" : "false",
          attached ? "true" : "false");
  str_json(&out, vlog.p);
  if (processed >= 0) str_fmt(&out, ",\"processed\":%d", processed);
  else str_add(&out, ",\"processed\":null");
  str_fmt(&out, ",\"ret\":%d,\"stop\":\"%s\",\"elapsedNs\":%lld", ret, stop, elapsed);
  str_add(&emits, "");
  if (loaded && obj) {
    struct bpf_map *rb = bpf_object__find_map_by_name(obj, "iou_emit");
    if (rb) {
      struct ring_buffer *rbuf = ring_buffer__new(bpf_map__fd(rb), on_emit, NULL, NULL);
      if (rbuf) {
        ring_buffer__consume(rbuf);
        ring_buffer__free(rbuf);
      }
    }
  }
  str_fmt(&out, ",\"emits\":[%s],\"globals\":{", emits.p);
  int first = 1;
  if (obj) {
    struct bpf_map *m;
    bpf_object__for_each_map(m, obj) {
      const char *name = bpf_map__name(m);
      if (has_suffix(name, ".bss") || has_suffix(name, ".data") || has_suffix(name, ".rodata"))
        dump_datasec(m, &out, &first);
    }
  }
  str_add(&out, "}");
  if (error_msg.n) {
    /* libbpf's own explanation (last lines) helps more than errno alone. */
    if (libbpf_msgs.n) {
      const char *tail = libbpf_msgs.p + (libbpf_msgs.n > 2000 ? libbpf_msgs.n - 2000 : 0);
      str_add(&error_msg, "\n");
      str_add(&error_msg, tail);
    }
    str_add(&out, ",\"error\":");
    str_json(&out, error_msg.p);
  }
  str_add(&out, "}\n");
  fwrite(out.p, 1, out.n, stdout);
  fflush(stdout);
  for (int i = 0; i < nlinks; i++) bpf_link__destroy(links[i]);
  bpf_object__close(obj);
  return loaded && attached && !strcmp(stop, "stopped") ? 0 : 1;
}
