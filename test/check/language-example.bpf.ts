import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const BLOCK = 16 * 1024; // compile-time constant, folded
const enum Tag {
  Read = 1,
  Write = 2,
} // compile-time constants

declare const IN_FD: i32; // set by the loader before load (.rodata)
declare const OUT_FD: i32;
declare const BUF: u64; // user-space buffer address
declare const SIZE: u64;

let offset: u64 = 0; // program state (.bss / .data)

export function onStart(): void {
  submit.read({ fd: IN_FD, fixedFile: true, addr: BUF, len: BLOCK, off: 0, userData: Tag.Read });
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
        emit({ userData: 0, res: i32(offset) });
        stop();
        return;
      }
      submit.write({
        fd: OUT_FD,
        fixedFile: true,
        addr: BUF,
        len: u32(cqe.res),
        off: offset,
        userData: Tag.Write,
      });
      break;
    case Tag.Write:
      offset += u64(cqe.res);
      if (offset >= SIZE) {
        emit({ userData: 0, res: i32(offset) });
        stop();
        return;
      }
      submit.read({
        fd: IN_FD,
        fixedFile: true,
        addr: BUF,
        len: BLOCK,
        off: offset,
        userData: Tag.Read,
      });
      break;
  }
}
