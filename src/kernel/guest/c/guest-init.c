// /init of the ioubpf guest initramfs (src/kernel/guest): sets the machine up, runs the batch
// of commands described under /ioubpf-batch, prints each result framed on the serial console
// and powers off. Statically linked, so the initramfs needs no libc for it.
//
// Batch layout (written by the host): /ioubpf-batch/count holds N; /ioubpf-batch/<i>/ holds
// argv and env (NUL-separated), cwd and timeout_ms (text). Output lines, one record a line so
// kernel messages interleaved on the console cannot corrupt a record:
//   @@IOUBPF:U <uname -r>
//   @@IOUBPF:O <i> <base64 chunk of stdout>     @@IOUBPF:E <i> <base64 chunk of stderr>
//   @@IOUBPF:R <i> <exit code or -1> <signal or 0> <ms> <timed out 0|1>
//   @@IOUBPF:DONE
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_OUT (8 << 20) /* bytes of stdout/stderr kept per command */

static char *read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
    ssize_t r = read(fd, buf + n, cap - n);
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

/* Splits a NUL-separated buffer into a NULL-terminated vector (extra appended at the end). */
static char **split0(char *buf, size_t len, char **extra) {
  size_t count = 0, i, k = 0;
  for (i = 0; i < len; i++) if (buf[i] == 0) count++;
  if (len > 0 && buf[len - 1] != 0) count++;
  size_t nextra = 0;
  while (extra && extra[nextra]) nextra++;
  char **v = calloc(count + nextra + 1, sizeof(char *));
  for (i = 0; i < len;) {
    v[k++] = buf + i;
    i += strlen(buf + i) + 1;
  }
  for (i = 0; i < nextra; i++) v[k++] = extra[i];
  v[k] = NULL;
  return v;
}

static void emit_b64(const char *tag, int idx, const unsigned char *p, size_t n) {
  static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char line[128];
  /* 57 input bytes → 76 base64 characters per line. */
  for (size_t off = 0; off < n; off += 57) {
    size_t m = n - off < 57 ? n - off : 57, o = 0;
    for (size_t i = 0; i < m; i += 3) {
      unsigned v = (unsigned)p[off + i] << 16;
      if (i + 1 < m) v |= (unsigned)p[off + i + 1] << 8;
      if (i + 2 < m) v |= p[off + i + 2];
      line[o++] = al[(v >> 18) & 63];
      line[o++] = al[(v >> 12) & 63];
      line[o++] = i + 1 < m ? al[(v >> 6) & 63] : '=';
      line[o++] = i + 2 < m ? al[v & 63] : '=';
    }
    line[o] = 0;
    printf("@@IOUBPF:%s %d %s\n", tag, idx, line);
  }
  fflush(stdout);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  close(s);
}

static void mkdir_p(char *path) {
  for (char *p = path + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(path, 0755);
      *p = '/';
    }
}

/* Files the host staged under /ioubpf-files go to their places after /tmp etc. are mounted
 * (a tmpfs mounted on /tmp would hide files packed there). /ioubpf-batch/files holds
 * "staged\0dest\0mode(octal)\0" records. */
static void place_files(void) {
  size_t len;
  char *buf = read_file("/ioubpf-batch/files", &len);
  if (!buf) return;
  char **v = split0(buf, len, NULL);
  for (int k = 0; v[k] && v[k + 1] && v[k + 2]; k += 3) {
    size_t n;
    char *data = read_file(v[k], &n);
    mkdir_p(v[k + 1]);
    int fd = open(v[k + 1], O_WRONLY | O_CREAT | O_TRUNC, (mode_t)strtol(v[k + 2], NULL, 8));
    if (!data || fd < 0) {
      printf("@@IOUBPF:W cannot place %s: %s\n", v[k + 1], strerror(errno));
      continue;
    }
    for (size_t off = 0; off < n;) {
      ssize_t w = write(fd, data + off, n - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
    fchmod(fd, (mode_t)strtol(v[k + 2], NULL, 8));
    close(fd);
    free(data);
    unlink(v[k]);
  }
}

static void run_one(int i) {
  char path[256];
  size_t alen = 0, elen = 0;
  snprintf(path, sizeof path, "/ioubpf-batch/%d/argv", i);
  char *abuf = read_file(path, &alen);
  snprintf(path, sizeof path, "/ioubpf-batch/%d/env", i);
  char *ebuf = read_file(path, &elen);
  snprintf(path, sizeof path, "/ioubpf-batch/%d/cwd", i);
  char *cwd = read_file(path, NULL);
  snprintf(path, sizeof path, "/ioubpf-batch/%d/timeout_ms", i);
  char *tbuf = read_file(path, NULL);
  long long timeout = tbuf ? atoll(tbuf) : 60000;
  if (!abuf || alen == 0) {
    printf("@@IOUBPF:R %d -1 0 0 0\n", i);
    return;
  }
  char *defaults[] = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/root", "TERM=dumb", NULL};
  char **argv = split0(abuf, alen, NULL);
  char **envp = split0(ebuf ? ebuf : "", ebuf ? elen : 0, defaults);
  char opath[64], epath[64];
  snprintf(opath, sizeof opath, "/run/ioubpf/%d.out", i);
  snprintf(epath, sizeof epath, "/run/ioubpf/%d.err", i);
  long long t0 = now_ms();
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int in = open("/dev/null", O_RDONLY);
    int out = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0), dup2(out, 1), dup2(err, 2);
    if (cwd && *cwd && chdir(cwd) != 0) {
      dprintf(2, "guest-init: chdir %s: %s\n", cwd, strerror(errno));
      _exit(127);
    }
    execvpe(argv[0], argv, envp);
    dprintf(2, "guest-init: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int status = 0, timed_out = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (!timed_out && now_ms() - t0 > timeout) {
      timed_out = 1;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  long long ms = now_ms() - t0;
  /* Reap whatever the command left behind (init is every orphan's parent). */
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
  size_t n;
  char *o = read_file(opath, &n);
  if (o) emit_b64("O", i, (unsigned char *)o, n < MAX_OUT ? n : MAX_OUT), free(o);
  char *e = read_file(epath, &n);
  if (e) emit_b64("E", i, (unsigned char *)e, n < MAX_OUT ? n : MAX_OUT), free(e);
  unlink(opath), unlink(epath);
  if (WIFEXITED(status))
    printf("@@IOUBPF:R %d %d 0 %lld %d\n", i, WEXITSTATUS(status), ms, timed_out);
  else if (WIFSIGNALED(status))
    printf("@@IOUBPF:R %d -1 %d %lld %d\n", i, WTERMSIG(status), ms, timed_out);
  else
    printf("@@IOUBPF:R %d -1 0 %lld %d\n", i, ms, timed_out);
  fflush(stdout);
}

int main(void) {
  mkdir("/dev", 0755), mkdir("/proc", 0755), mkdir("/sys", 0755), mkdir("/tmp", 01777), mkdir("/run", 0755);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  int c = open("/dev/console", O_RDWR);
  if (c >= 0) dup2(c, 0), dup2(c, 1), dup2(c, 2);
  setvbuf(stdout, NULL, _IOLBF, 0);
  mount("proc", "/proc", "proc", 0, NULL);
  mount("sysfs", "/sys", "sysfs", 0, NULL);
  mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
  mount("tmpfs", "/run", "tmpfs", 0, "mode=0755");
  mkdir("/run/ioubpf", 0700);
  mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
  mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL);
  loopback_up();
  place_files();
  struct utsname u;
  if (uname(&u) == 0) printf("@@IOUBPF:U %s\n", u.release);
  char *cnt = read_file("/ioubpf-batch/count", NULL);
  int n = cnt ? atoi(cnt) : 0;
  printf("@@IOUBPF:S %d\n", n);
  for (int i = 0; i < n; i++) run_one(i);
  printf("@@IOUBPF:DONE\n");
  fflush(stdout);
  /* The console's write returns once the tty has the bytes, not when the UART has sent them:
   * powering off at once can cut the last commands' output (and DONE) short. */
  tcdrain(1);
  struct timespec settle = {0, 200 * 1000 * 1000};
  nanosleep(&settle, NULL);
  sync();
  reboot(RB_POWER_OFF);
  return 0;
}
