// target: linux-7.1
// Signed division and remainder (cpu v4): average the signed results of the last batch,
// rounding towards zero, and keep the remainder for the next batch.
import { Cqe, submit, stop, i32, i64, u64 } from "ioubpf/lang";

const BATCH = 8;
const REPORT_TAG = 0xfeed;

let sum: i64 = 0;
let n: i64 = 0;
let carry: i64 = 0;

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == REPORT_TAG) return;
  sum += i64(cqe.res);
  n++;
  if (n < BATCH) return;
  const avg = (sum + carry) / n;
  carry = (sum + carry) % n;
  sum = 0;
  n = 0;
  // no emit on linux-7.1: a NOP's completion carries the result to user space
  submit.nop({ userData: u64(avg) });
  if (avg < -1000 || i32(avg) / -2 > 1 << 20) stop();
}
