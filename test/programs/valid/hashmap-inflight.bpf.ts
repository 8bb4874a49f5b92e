// Track in-flight requests in a hash map: has() to detect duplicates, get() with a null
// check to read the submit time, delete() when done; emit the slowest request seen.
import { Cqe, submit, emit, ktime, HashMap, u32, u64, i32 } from "ioubpf/lang";

const DEPTH = 8;

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;

interface Pending {
  submittedAt: u64;
  off: u64;
}

const inflight = new HashMap<u64, Pending>(64);
let nextId: u64 = 1;
let slowest: u64 = 0;

function issue(off: u64): void {
  const id = nextId;
  nextId++;
  if (inflight.has(id)) return;
  inflight.set(id, { submittedAt: ktime(), off: off });
  submit.read({ fd: FD, addr: BUF, len: LEN, off: off, userData: id });
}

export function onStart(): void {
  for (let i: u64 = 0; i < DEPTH; i++) issue(i * u64(LEN));
}

export function onCompletion(cqe: Cqe): void {
  const p = inflight.get(cqe.userData);
  if (p === null) return; // not ours
  const took = ktime() - p.submittedAt;
  const off = p.off;
  inflight.delete(cqe.userData);
  if (took > slowest) {
    slowest = took;
    emit({ userData: off, res: i32(took >> 10) });
  }
  if (cqe.res > 0) issue(off + u64(DEPTH) * u64(LEN));
}
