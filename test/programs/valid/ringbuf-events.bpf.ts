// Stream a record per completion to user space through a ring buffer instead of CQEs:
// userData, result, flags and the time it was seen.
import { Cqe, RingBuf, ktime, trace, u32, u64, i32 } from "ioubpf/lang";

interface Event {
  userData: u64;
  at: u64;
  res: i32;
  flags: u32;
}

const events = new RingBuf(64 * 1024);
let dropped: u64 = 0;

export function onCompletion(cqe: Cqe): void {
  const ev: Event = { userData: cqe.userData, at: ktime(), res: cqe.res, flags: cqe.flags };
  if (!events.output(ev)) {
    dropped++;
    if ((dropped & 1023) == 1) trace("ringbuf-events: %llu dropped\n", dropped);
  }
}
