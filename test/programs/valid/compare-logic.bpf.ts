// Decide what to report with comparison and logical operators: short-circuit && and ||,
// ! on bool, strict and loose equality, and nested ?: choosing an exit code.
import { Cqe, emit, stop, bool, u64, i32 } from "ioubpf/lang";

const EAGAIN = -11;
const EINTR = -4;

declare const EXPECTED: u64;

let okCount: u64 = 0;
let retryable: u64 = 0;
let fatal: bool = false;

function isRetry(res: i32): bool {
  return res === EAGAIN || res == EINTR;
}

export function onCompletion(cqe: Cqe): void {
  const failed = cqe.res < 0;
  if (!failed) okCount++;
  else if (isRetry(cqe.res)) retryable++;
  else fatal = true;

  const done = okCount >= EXPECTED || (fatal && cqe.userData !== 0);
  const quiet = okCount > 0 && okCount <= EXPECTED && !(retryable > okCount);
  if (done) {
    const code: i32 = fatal ? -1 : retryable != 0 ? 1 : quiet ? 0 : 2;
    emit({ userData: okCount, res: code });
    stop();
  }
}
