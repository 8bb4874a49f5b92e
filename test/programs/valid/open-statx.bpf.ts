// Open a file relative to the current directory, statx it through the new fd (AT_EMPTY_PATH)
// and report its fd to user space; close it again if statx fails.
import { Cqe, submit, emit, stop, i32, u64 } from "ioubpf/lang";

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const O_RDONLY = 0;
const O_CLOEXEC = 0x80000;
const STATX_SIZE = 0x200;
const enum Tag {
  Open = 1,
  Stat = 2,
  Close = 3,
}

declare const PATH: u64; // NUL-terminated path
declare const EMPTY: u64; // "" for AT_EMPTY_PATH
declare const STATX_BUF: u64; // struct statx

let fd: i32 = -1;

export function onStart(): void {
  submit.openat({ fd: AT_FDCWD, addr: PATH, openFlags: O_RDONLY | O_CLOEXEC, userData: Tag.Open });
}

export function onCompletion(cqe: Cqe): void {
  switch (cqe.userData) {
    case Tag.Open:
      if (cqe.res < 0) {
        emit({ userData: Tag.Open, res: cqe.res });
        stop();
        return;
      }
      fd = cqe.res;
      submit.statx({
        fd: fd,
        addr: EMPTY,
        len: STATX_SIZE,
        addr2: STATX_BUF,
        statxFlags: AT_EMPTY_PATH,
        userData: Tag.Stat,
      });
      break;
    case Tag.Stat:
      if (cqe.res < 0) {
        submit.close({ fd: fd, userData: Tag.Close });
        return;
      }
      emit({ userData: Tag.Stat, res: fd });
      stop();
      break;
    case Tag.Close:
      emit({ userData: Tag.Close, res: -1 });
      stop();
      break;
  }
}
