// Sleepable iouring-v2: read a control block from user memory at start (copyFromUser),
// follow its instructions, and publish statistics back to user memory (copyToUser).
import { Cqe, submit, stop, copyFromUser, copyToUser, u32, u64, i32 } from "ioubpf/lang";

interface Control {
  fd: i32;
  len: u32;
  buf: u64;
  count: u64;
}

interface Stats {
  completions: u64;
  bytes: u64;
  lastRes: i32;
  pad: u32;
}

declare const CONTROL_ADDR: u64;
declare const STATS_ADDR: u64;

// eslint-disable-next-line prefer-const -- program state: `let` keeps it writable (.data)
let ctl: Control = { fd: 0, len: 0, buf: 0, count: 0 };
// eslint-disable-next-line prefer-const -- as above
let stats: Stats = { completions: 0, bytes: 0, lastRes: 0, pad: 0 };

export function onStart(): void {
  if (copyFromUser(ctl, CONTROL_ADDR) != 0) {
    stop();
    return;
  }
  submit.read({ fd: ctl.fd, addr: ctl.buf, len: ctl.len, userData: 1 });
}

export function onCompletion(cqe: Cqe): void {
  stats.completions++;
  stats.lastRes = cqe.res;
  if (cqe.res > 0) stats.bytes += u64(cqe.res);
  copyToUser(STATS_ADDR, stats);
  if (cqe.res <= 0 || stats.completions >= ctl.count) {
    stop();
    return;
  }
  submit.read({ fd: ctl.fd, addr: ctl.buf, len: ctl.len, off: stats.bytes, userData: 1 });
}
