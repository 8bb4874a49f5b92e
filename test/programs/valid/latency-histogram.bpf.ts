// Measure I/O latency: user space submits each I/O right behind a linked NOP carrying the
// same userData. The NOP's completion marks the start; the I/O's completion adds the elapsed
// nanoseconds to a log2 histogram that user space reads. onCompletion only.
import { Cqe, ktime, ArrayMap, HashMap, u32, u64 } from "ioubpf/lang";

const BUCKETS = 32;

const started = new HashMap<u64, u64>(4096); // request id -> ktime at first sight
const histogram = new ArrayMap<u32, u64>(BUCKETS);

function log2(v: u64): u32 {
  let bucket: u32 = 0;
  for (let i: u32 = 0; i < BUCKETS - 1; i++) {
    if (v <= 1) break;
    v = v >> 1;
    bucket++;
  }
  return bucket;
}

export function onCompletion(cqe: Cqe): void {
  const now = ktime();
  const t0 = started.get(cqe.userData);
  if (t0 === null) {
    // the NOP: remember when the I/O started
    started.set(cqe.userData, now);
    return;
  }
  const slot = histogram.get(log2(now - t0));
  if (slot !== null) histogram.set(log2(now - t0), slot + 1);
  started.delete(cqe.userData);
}
