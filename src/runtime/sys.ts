// System calls the runtime needs beyond bpf(): io_uring_setup/enter/register, mmap/munmap,
// sockets, and the timer + signal pair that bounds a blocking io_uring_enter. All through
// koffi (libc's variadic `syscall` and a few libc functions); x86-64 and arm64 numbers.
import { createRequire } from "node:module";

type Koffi = typeof import("koffi");

const NR: Record<string, Record<string, number>> = {
  x64: {
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    gettid: 186,
    timer_create: 222,
    timer_settime: 223,
    timer_delete: 226,
  },
  arm64: {
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    gettid: 178,
    timer_create: 107,
    timer_settime: 110,
    timer_delete: 111,
  },
};

interface Libc {
  koffi: Koffi;
  syscall: (...args: unknown[]) => number | bigint;
  mmap: (
    addr: null,
    len: number,
    prot: number,
    flags: number,
    fd: number,
    off: number | bigint,
  ) => unknown;
  munmap: (addr: unknown, len: number) => number;
  dlsym: (h: null, name: string) => unknown;
  sigaction: (sig: number, act: Buffer | null, old: Buffer | null) => number;
  socket: (d: number, t: number, p: number) => number;
  setsockopt: (fd: number, level: number, name: number, val: Buffer, len: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  close: (fd: number) => number;
  getpagesize: () => number;
}

let libc: Libc | undefined;
let libcError: string | undefined;

export function sys(): Libc | undefined {
  if (libc || libcError) return libc;
  try {
    if (process.platform !== "linux")
      throw new Error(`io_uring needs Linux (this is ${process.platform})`);
    if (!NR[process.arch]) throw new Error(`no syscall numbers for ${process.arch}`);
    const koffi = createRequire(import.meta.url)("koffi") as Koffi;
    const lib = koffi.load("libc.so.6");
    libc = {
      koffi,
      syscall: lib.func("long syscall(long nr, ...)") as unknown as Libc["syscall"],
      mmap: lib.func(
        "void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)",
      ) as unknown as Libc["mmap"],
      munmap: lib.func("int munmap(void *addr, size_t len)") as unknown as Libc["munmap"],
      dlsym: lib.func("void *dlsym(void *h, const char *name)") as unknown as Libc["dlsym"],
      sigaction: lib.func(
        "int sigaction(int sig, void *act, void *old)",
      ) as unknown as Libc["sigaction"],
      socket: lib.func("int socket(int d, int t, int p)") as unknown as Libc["socket"],
      setsockopt: lib.func(
        "int setsockopt(int fd, int level, int name, void *val, uint32_t len)",
      ) as unknown as Libc["setsockopt"],
      bind: lib.func("int bind(int fd, void *addr, uint32_t len)") as unknown as Libc["bind"],
      listen: lib.func("int listen(int fd, int backlog)") as unknown as Libc["listen"],
      close: lib.func("int close(int fd)") as unknown as Libc["close"],
      getpagesize: lib.func("int getpagesize(void)") as unknown as Libc["getpagesize"],
    };
  } catch (e) {
    libcError = (e as Error).message;
  }
  return libc;
}

export function sysError(): string | undefined {
  sys();
  return libcError;
}

function L(): Libc {
  const l = sys();
  if (!l) throw new Error(libcError ?? "libc unavailable");
  return l;
}

function nr(name: string): number {
  return NR[process.arch]![name]!;
}

/** A raw syscall with (type, value) pairs; returns the result or -errno. */
function raw(name: string, ...args: unknown[]): number {
  const l = L();
  const r = Number(l.syscall(nr(name), ...args));
  return r < 0 ? -l.koffi.errno() : r;
}

export function ioUringSetup(entries: number, params: Buffer): number {
  return raw("io_uring_setup", "uint32_t", entries, "void *", params);
}

export function ioUringEnter(
  fd: number,
  toSubmit: number,
  minComplete: number,
  flags: number,
  arg: Buffer | null = null,
  argSize = 0,
): number {
  return raw(
    "io_uring_enter",
    "int",
    fd,
    "uint32_t",
    toSubmit,
    "uint32_t",
    minComplete,
    "uint32_t",
    flags,
    "void *",
    arg,
    "size_t",
    argSize,
  );
}

export function ioUringRegister(
  fd: number,
  op: number,
  arg: Buffer | null,
  nrArgs: number,
): number {
  return raw("io_uring_register", "int", fd, "uint32_t", op, "void *", arg, "uint32_t", nrArgs);
}

export function gettid(): number {
  return raw("gettid");
}

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;
export const MAP_ANONYMOUS = 0x20;
export const MAP_POPULATE = 0x8000;

/** A mapping: its address, length and a byte view on it (valid until unmapped). */
export interface Mapping {
  addr: bigint;
  len: number;
  bytes: Uint8Array;
  /** The koffi pointer, for munmap. */
  ptr: unknown;
}

/** mmap; a Mapping or -errno. */
export function mmap(
  len: number,
  prot: number,
  flags: number,
  fd: number,
  off: number,
): Mapping | number {
  const l = L();
  const ptr = l.mmap(null, len, prot, flags, fd, off);
  const addr = ptr === null ? 0n : l.koffi.address(ptr);
  if (ptr === null || addr === 0xffffffffffffffffn) return -l.koffi.errno();
  return { addr, len, ptr, bytes: new Uint8Array(l.koffi.view(ptr, len)) };
}

export function munmap(m: Mapping): void {
  L().munmap(m.ptr, m.len);
}

export function closeFd(fd: number): void {
  if (fd >= 0) L().close(fd);
}

export function pageSize(): number {
  return L().getpagesize();
}

export function errno(): number {
  return L().koffi.errno();
}

/** A listening TCP socket on 127.0.0.1:port; the fd or -errno. */
export function listenTcp(port: number): number {
  const l = L();
  const fd = l.socket(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
  if (fd < 0) return -l.koffi.errno();
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  l.setsockopt(fd, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, one, 4);
  const sa = Buffer.alloc(16);
  sa.writeUInt16LE(2, 0);
  sa.writeUInt16BE(port, 2);
  sa.set([127, 0, 0, 1], 4);
  if (l.bind(fd, sa, 16) < 0 || l.listen(fd, 64) < 0) {
    const e = l.koffi.errno();
    l.close(fd);
    return -e;
  }
  return fd;
}

// ---------------------------------------------------------------------------------------
// Bounding a blocking io_uring_enter: a POSIX timer sends a signal to this thread; the
// signal's handler is libc's getpid (a function with no effect), installed without
// SA_RESTART, so the sleeping syscall returns EINTR instead of being restarted.

/** A real-time signal nothing in Node or libuv uses. */
const TIMEOUT_SIGNAL = 40;

export interface Alarm {
  /** Cancels the timer and restores the previous signal action. */
  clear(): void;
}

export function armAlarm(ms: number): Alarm | string {
  const l = L();
  const handler = l.dlsym(null, "getpid");
  if (handler === null) return "dlsym(getpid) failed";
  // glibc struct sigaction (x86-64/arm64): handler @0, sa_mask @8 (128 bytes), sa_flags @136.
  const act = Buffer.alloc(160);
  act.writeBigUInt64LE(l.koffi.address(handler), 0);
  const old = Buffer.alloc(160);
  if (l.sigaction(TIMEOUT_SIGNAL, act, old) < 0)
    return `sigaction failed (errno ${l.koffi.errno()})`;
  // struct sigevent: sigev_value @0, sigev_signo @8, sigev_notify @12 (SIGEV_THREAD_ID 4), tid @16.
  const sev = Buffer.alloc(64);
  sev.writeInt32LE(TIMEOUT_SIGNAL, 8);
  sev.writeInt32LE(4, 12);
  sev.writeInt32LE(gettid(), 16);
  const id = Buffer.alloc(8);
  const restore = (): void => {
    // SIG_IGN first: it discards a queued expiry, which would otherwise terminate the
    // process under the default action of a real-time signal.
    const ign = Buffer.alloc(160);
    ign.writeBigUInt64LE(1n, 0);
    l.sigaction(TIMEOUT_SIGNAL, ign, null);
    l.sigaction(TIMEOUT_SIGNAL, old, null);
  };
  if (raw("timer_create", "int", 1 /* CLOCK_MONOTONIC */, "void *", sev, "void *", id) < 0) {
    restore();
    return "timer_create failed";
  }
  const timer = id.readInt32LE(0);
  // itimerspec { interval, value }; repeat every 50 ms after the first expiry so a signal
  // that arrives between two sleeps is followed by another.
  const its = Buffer.alloc(32);
  its.writeBigInt64LE(0n, 0);
  its.writeBigInt64LE(50_000_000n, 8);
  its.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 16);
  its.writeBigInt64LE(BigInt((ms % 1000) * 1_000_000), 24);
  if (raw("timer_settime", "int", timer, "int", 0, "void *", its, "void *", null) < 0) {
    raw("timer_delete", "int", timer);
    restore();
    return "timer_settime failed";
  }
  return {
    clear() {
      raw("timer_delete", "int", timer);
      restore();
    },
  };
}
