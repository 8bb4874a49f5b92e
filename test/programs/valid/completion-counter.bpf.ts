// onCompletion only: count the completions routed to this program's CQ and report the
// total to user space once LIMIT have arrived.
import { Cqe, emit, stop, u64, i32 } from "ioubpf/lang";

const LIMIT = 64;

let seen: u64 = 0;
let failures: u64 = 0;

export function onCompletion(cqe: Cqe): void {
  seen++;
  if (cqe.res < 0) failures = failures + 1; // plain assignment: see docs/lang.md on uninitialised globals
  if (seen == LIMIT) {
    emit({ userData: failures, res: i32(seen) });
    stop();
  }
}
