// Latency histogram: each read's submit time is kept per request; on completion the
// latency goes into a log2 bucket of an array map.
import { Cqe, ArrayMap, HashMap, submit, ktime, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;

const BUCKETS = 32;
const hist = new ArrayMap<u32, u64>(BUCKETS);
const startedAt = new HashMap<u64, u64>(64);
let next: u64 = 1;

function issue(): void {
  const id = next++;
  startedAt.set(id, ktime());
  submit.read({ fd: FD, addr: BUF, len: 4096, off: 0, userData: id });
}

function log2(x: u64) {
  let b = 0;
  for (let i = 0; i < 63; i++) {
    if (x >> u64(i) == 0) break;
    b = i;
  }
  return b;
}

export function onStart(): void {
  for (let i = 0; i < 4; i++) issue();
}

export function onCompletion(cqe: Cqe): void {
  const t0 = startedAt.get(cqe.userData) ?? 0;
  startedAt.delete(cqe.userData);
  if (t0 == 0) return;
  const bucket = Math.min(log2(ktime() - t0), BUCKETS - 1);
  const slot = hist.get(bucket);
  if (slot !== null) hist.set(bucket, slot + 1);
  if (next < 64) issue();
}
