// target: iouring-v2
// A ring-buffer logger: every completion becomes a record in a ring buffer, with per-kind
// counters, a latency estimate and rate-limited traces when the buffer is full (issue 13).
import { Cqe, RingBuf, HashMap, submit, ktime, trace, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;

interface Record {
  userData: u64;
  at: u64;
  res: i32;
  flags: u32;
  kind: u32;
  seq: u32;
}

interface Counter {
  ok: u64;
  failed: u64;
  bytes: u64;
}

const log = new RingBuf(64 * 1024);
const counters = new HashMap<u32, Counter>(8);
let seq: u32 = 0;
let dropped: u64 = 0;
let lastAt: u64 = 0;
let maxGap: u64 = 0;

export function onStart(): void {
  submit.read({ fd: FD, addr: BUF, len: LEN, off: 0, userData: 1 });
}

export function onCompletion(cqe: Cqe): void {
  const now = ktime();
  const kind = u32(cqe.userData & 7);
  seq++;
  if (lastAt != 0 && now - lastAt > maxGap) maxGap = now - lastAt;
  lastAt = now;
  const rec: Record = {
    userData: cqe.userData,
    at: now,
    res: cqe.res,
    flags: cqe.flags,
    kind: kind,
    seq: seq,
  };
  if (!log.output(rec)) {
    dropped++;
    if ((dropped & 1023) == 1) trace("logger: %llu dropped\n", dropped);
  }
  const c = counters.get(kind);
  if (c === null) {
    counters.set(kind, {
      ok: cqe.res >= 0 ? 1 : 0,
      failed: cqe.res < 0 ? 1 : 0,
      bytes: cqe.res > 0 ? u64(cqe.res) : 0,
    });
  } else if (cqe.res < 0) {
    c.failed++;
    if (cqe.res == -11) trace("logger: EAGAIN on %llu\n", cqe.userData);
  } else {
    c.ok++;
    c.bytes += u64(cqe.res);
  }
  if (kind == 1 && cqe.res > 0) submit.read({ fd: FD, addr: BUF, len: LEN, off: 0, userData: 1 });
}
