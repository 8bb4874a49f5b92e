// Track requests in flight in a HashMap: submit time and size per id; completions report
// the slowest request so far; a request that completes twice is flagged.
import { Cqe, HashMap, submit, emit, ktime, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;

interface Pending {
  at: u64;
  len: u32;
}

const inflight = new HashMap<u64, Pending>(128);
let nextId: u64 = 1;
let slowest: u64 = 0;
let duplicates = 0;

function issue(len: u32): void {
  const id = nextId++;
  inflight.set(id, { at: ktime(), len: len });
  submit.read({ fd: FD, addr: BUF, len: len, userData: id });
}

export function onStart(): void {
  for (let i = 1; i <= 4; i++) issue(i * 1024);
}

export function onCompletion(cqe: Cqe): void {
  const p = inflight.get(cqe.userData);
  if (p === null) {
    duplicates++;
    return;
  }
  const took = ktime() - p.at;
  inflight.delete(cqe.userData);
  if (took > slowest) {
    slowest = took;
    emit({ userData: cqe.userData, res: i32(Math.min(took >> 10, 0x7fffffff)) });
  }
}
