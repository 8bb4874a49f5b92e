// A ticker: a timeout fires every period; each tick is counted and reported, and after
// TICKS ticks the program stops.
import { Cqe, submit, emit, stop, ktime, u64, i32 } from "ioubpf/lang";

declare const TS: u64; // struct __kernel_timespec with the period
const TICKS = 5;

let ticks = 0;
let startedAt: u64 = 0;

function arm(): void {
  submit.timeout({ addr: TS, len: 1, userData: ticks + 1 });
}

export function onStart(): void {
  startedAt = ktime();
  arm();
}

export function onCompletion(cqe: Cqe): void {
  ticks++;
  emit({ userData: ticks, res: 0 });
  if (ticks < TICKS) arm();
  else {
    emit({ userData: 0xdead, res: i32OfMs(ktime() - startedAt) });
    stop();
  }
}

function i32OfMs(ns: u64) {
  return ns > 0x7fffffff * 1000000 ? 0x7fffffff : i32Of(ns / 1000000);
}

function i32Of(x: u64): i32 {
  return i32(x);
}
