// A watchdog: a timeout that fires either after the period or after BATCH other completions,
// whichever comes first; each firing reports how the batch went and re-arms.
import { Cqe, submit, emit, stop, u64, i32 } from "ioubpf/lang";

const ETIME = -62;
const BATCH = 32;
const WATCHDOG = 0xdead;

declare const TS_ADDR: u64; // struct __kernel_timespec with the period
declare const ROUNDS: u64;

let rounds: u64 = 0;
let expired: u64 = 0;

export function onStart(): void {
  submit.timeout({ addr: TS_ADDR, off: BATCH, userData: WATCHDOG });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData != WATCHDOG) return;
  // -ETIME: the period elapsed; 0: BATCH completions arrived first
  if (cqe.res == ETIME) expired++;
  rounds++;
  if (rounds == ROUNDS) {
    emit({ userData: expired, res: i32(rounds) });
    stop();
    return;
  }
  submit.timeout({ addr: TS_ADDR, off: BATCH, userData: WATCHDOG });
}
