// Copy a file: read a block, write the bytes the read returned, repeat until SIZE bytes are
// written or the input ends. linux-7.1: plain file descriptors (the loader opens them), the
// buffer is user memory whose address the loader puts in BUF.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const BLOCK = 16 * 1024; // bytes per read, folded at compile time
const enum Tag {
  Read = 1,
  Write = 2,
}

declare const IN_FD: i32; // file descriptor of the input
declare const OUT_FD: i32; // file descriptor of the output
declare const BUF: u64; // user-space address of a BLOCK-byte buffer
declare const SIZE: u64; // bytes to copy

let offset: u64 = 0; // bytes written so far; persists across runs

function finish(res: i32): void {
  emit({ userData: 0, res: res });
  stop();
}

export function onStart(): void {
  submit.read({ fd: IN_FD, addr: BUF, len: BLOCK, off: 0, userData: Tag.Read });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  }
  switch (cqe.userData) {
    case Tag.Read:
      if (cqe.res == 0) {
        finish(i32(offset));
        return;
      }
      submit.write({
        fd: OUT_FD,
        addr: BUF,
        len: u32(cqe.res),
        off: offset,
        userData: Tag.Write,
      });
      break;
    case Tag.Write:
      offset += u64(cqe.res);
      if (offset >= SIZE) {
        finish(i32(offset));
        return;
      }
      submit.read({
        fd: IN_FD,
        addr: BUF,
        len: BLOCK,
        off: offset,
        userData: Tag.Read,
      });
      break;
  }
}
