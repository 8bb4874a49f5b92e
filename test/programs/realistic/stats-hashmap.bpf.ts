// Per-tag statistics in a HashMap: completions, bytes and errors for each userData tag,
// created on first use and updated in place.
import { Cqe, HashMap, submit, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;

interface Stats {
  completions: u64;
  bytes: u64;
  errors: u64;
  lastRes: i32;
}

const byTag = new HashMap<u64, Stats>(256);
let total = 0;

export function onStart(): void {
  for (let i = 0; i < 8; i++)
    submit.read({ fd: FD, addr: BUF, len: 512, off: i * 512, userData: i % 3 });
}

export function onCompletion(cqe: Cqe): void {
  const tag = cqe.userData;
  let s = byTag.get(tag);
  if (s === null) {
    byTag.set(tag, { completions: 0, bytes: 0, errors: 0, lastRes: 0 });
    s = byTag.get(tag);
    if (s === null) return;
  }
  s.completions++;
  s.lastRes = cqe.res;
  if (cqe.res < 0) s.errors += 1;
  else s.bytes += u64(cqe.res);
  total += 1;
}
