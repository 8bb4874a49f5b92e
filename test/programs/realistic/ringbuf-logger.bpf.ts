// Log every completion into a ring buffer for user space: time, tag, result and flags,
// with a sequence number; records that do not fit are counted as dropped.
import { Cqe, RingBuf, submit, ktime, u32, u64, i32 } from "ioubpf/lang";

interface Record {
  seq: u64;
  at: u64;
  userData: u64;
  res: i32;
  flags: u32;
}

const log = new RingBuf(64 * 1024);
let seq: u64 = 0;
let dropped = 0;

export function onStart(): void {
  for (let i = 0; i < 4; i++) submit.nop({ userData: 100 + i });
}

export function onCompletion(cqe: Cqe): void {
  seq++;
  const rec: Record = {
    seq: seq,
    at: ktime(),
    userData: cqe.userData,
    res: cqe.res,
    flags: cqe.flags,
  };
  if (!log.output(rec)) dropped++;
}
