// target: linux-7.1
// The mainline NOP pump: keep INFLIGHT NOPs queued until TOTAL have completed. On linux-7.1
// the loop step runs on every io_uring_enter; completions arrive through onCompletion.
import { Cqe, submit, stop, u32, u64 } from "ioubpf/lang";

const INFLIGHT = 8;
const TOTAL = 1000;

let queued: u64 = 0;
let completed: u64 = 0;

export function onStart(): void {
  for (let i: u32 = 0; i < INFLIGHT; i++) {
    submit.nop({ userData: queued });
    queued++;
  }
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res != 0) {
    stop();
    return;
  }
  completed++;
  if (completed >= TOTAL) {
    stop();
    return;
  }
  if (queued < TOTAL) {
    submit.nop({ userData: queued });
    queued++;
  }
}
