// A durable write: write → fsync linked together, with a link timeout bounding the fsync;
// the result of each step is emitted, and any failure stops the chain.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;
declare const TS: u64;

const enum Step {
  Write = 1,
  Sync = 2,
  Timeout = 3,
}

let done = 0;

export function onStart(): void {
  submit.write({ fd: FD, addr: BUF, len: LEN, off: 0, userData: Step.Write, link: true });
  submit.fsync({ fd: FD, userData: Step.Sync, link: true });
  submit.linkTimeout({ addr: TS, userData: Step.Timeout });
}

export function onCompletion(cqe: Cqe): void {
  emit({ userData: cqe.userData, res: cqe.res });
  if (cqe.res < 0 && cqe.userData != Step.Timeout) return stop();
  done++;
  if (done == 3) stop();
}
