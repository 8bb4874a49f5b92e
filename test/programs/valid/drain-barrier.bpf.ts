// Write a batch of blocks, then a drained fsync that waits for every earlier request, then
// a commit record; the commit's completion is reported.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const BLOCKS = 4;
const BLOCK = 4096;
const COMMIT_TAG = 0xc0;
const SYNC_TAG = 0xb0;

declare const FD: i32;
declare const DATA: u64;
declare const COMMIT: u64;
declare const COMMIT_OFF: u64;

export function onStart(): void {
  for (let i: u32 = 0; i < BLOCKS; i++) {
    submit.write({
      fd: FD,
      addr: DATA + u64(i) * BLOCK,
      len: BLOCK,
      off: u64(i) * BLOCK,
      userData: u64(i),
    });
  }
  submit.fsync({ fd: FD, drain: true, link: true, userData: SYNC_TAG });
  submit.write({ fd: FD, addr: COMMIT, len: 512, off: COMMIT_OFF, userData: COMMIT_TAG });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0 || cqe.userData == COMMIT_TAG) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
  }
}
