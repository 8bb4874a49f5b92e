// Keep INFLIGHT NOPs in flight until TOTAL have completed, then report the count and the
// elapsed time. The smallest program that exercises the whole submit/reap loop.
import { Cqe, submit, emit, stop, ktime, u32, u64, i32 } from "ioubpf/lang";

const INFLIGHT = 8;
const TOTAL = 1000;

let queued: u64 = 0; // NOPs submitted so far
let completed: u64 = 0; // NOP completions seen so far
let startNs: u64 = 0;

function queueOne(): void {
  if (submit.nop({ userData: queued })) queued++;
}

export function onStart(): void {
  startNs = ktime();
  for (let i: u32 = 0; i < INFLIGHT; i++) queueOne();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  }
  completed++;
  if (completed >= TOTAL) {
    // userData: elapsed nanoseconds; res: completions
    emit({ userData: ktime() - startNs, res: i32(completed) });
    stop();
    return;
  }
  if (queued < TOTAL) queueOne();
}
