// A chain that must run to the end even when a step fails: write, fsync and a marker NOP
// joined with hardlink; the marker's completion says the chain finished either way.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const MARKER = 0xe0f;

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;

let writeRes: i32 = 0;

export function onStart(): void {
  submit.write({ fd: FD, addr: BUF, len: LEN, off: 0, hardlink: true, userData: 1 });
  submit.fsync({ fd: FD, hardlink: true, userData: 2 });
  submit.nop({ userData: MARKER });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == 1) writeRes = cqe.res;
  if (cqe.userData == MARKER) {
    emit({ userData: u64(u32(writeRes)), res: writeRes });
    stop();
  }
}
