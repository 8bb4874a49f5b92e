// Program state in globals: zero (.bss), non-zero initialised (.data), uninitialised (.bss,
// assigned in onStart) and a bool flag; all persist across runs of the program.
import { Cqe, submit, emit, stop, ktime, bool, u8, u32, u64, i32 } from "ioubpf/lang";

let runs: u64 = 0; // .bss
let budget: u32 = 1000; // .data
let generation: u8 = 1; // .data
let startedAt!: u64; // .bss (zeroed), set by onStart
let draining: bool = false;

export function onStart(): void {
  startedAt = ktime();
  submit.nop({ userData: u64(generation) });
}

export function onCompletion(cqe: Cqe): void {
  runs++;
  if (draining) return;
  if (budget == 0) {
    draining = true;
    emit({ userData: ktime() - startedAt, res: i32(runs) });
    stop();
    return;
  }
  budget--;
  generation = generation + 1;
  submit.nop({ userData: u64(generation) + cqe.userData });
}
