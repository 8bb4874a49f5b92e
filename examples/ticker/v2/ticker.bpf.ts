// A ticker: a timeout that re-arms itself. Its completions go to CQ 1, which this program
// waits on; every tick is forwarded to user space on CQ 0 with its sequence number, until
// TICKS ticks have passed.
import { Cqe, submit, emit, stop, u64 } from "ioubpf/lang";

const TICK_CQ = 1; // the program's own CQ: the loader makes the program wait on it
const ETIME = -62; // a timeout that expired completes with -ETIME

declare const PERIOD_TS: u64; // struct __kernel_timespec holding the period
declare const TICKS: u64; // how many ticks before stopping (0: forever)

let ticks: u64 = 0;

function arm(): void {
  submit.timeout({ addr: PERIOD_TS, cq: TICK_CQ, userData: ticks });
}

export function onStart(): void {
  arm();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res != ETIME) {
    // cancelled or failed: report and stop
    emit({ userData: ticks, res: cqe.res });
    stop();
    return;
  }
  ticks++;
  emit({ userData: ticks, res: 0 });
  if (TICKS != 0 && ticks >= TICKS) {
    stop();
    return;
  }
  arm();
}
