// target: linux-7.1
// Stream a pipe with one multishot read into provided buffers: each CQE is one read; count
// bytes and re-arm when the kernel ends the multishot (no MORE flag).
import { Cqe, submit, stop, u64, i32 } from "ioubpf/lang";

const GROUP = 3;
const IORING_CQE_F_MORE = 2;

declare const PIPE_FD: i32;
declare const MAX_BYTES: u64; // stop after this much

let bytes: u64 = 0;

function arm(): void {
  submit.readMultishot({ fd: PIPE_FD, len: 0, off: 0, bufGroup: GROUP, userData: 9 });
}

export function onStart(): void {
  arm();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res <= 0) {
    stop();
    return;
  }
  bytes += u64(cqe.res);
  if (bytes >= MAX_BYTES) {
    stop();
    return;
  }
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) arm();
}
