// A deadline at an absolute CLOCK_MONOTONIC time (IORING_TIMEOUT_ABS): user space writes the
// deadline into the timespec; when it passes, every read still pending is cancelled.
import { Cqe, submit, emit, stop, u64 } from "ioubpf/lang";

const IORING_TIMEOUT_ABS = 1;
const IORING_ASYNC_CANCEL_ALL = 1;
const READ_TAG = 0x2ead; // the userData user space gives its reads
const DEADLINE = 0xd1;

declare const DEADLINE_TS: u64;

export function onStart(): void {
  submit.timeout({ addr: DEADLINE_TS, timeoutFlags: IORING_TIMEOUT_ABS, userData: DEADLINE });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData != DEADLINE) return;
  submit.cancel({ addr: READ_TAG, cancelFlags: IORING_ASYNC_CANCEL_ALL, userData: 0 });
  emit({ userData: DEADLINE, res: cqe.res });
  stop();
}
