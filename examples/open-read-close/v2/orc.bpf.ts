// Open a file, read its first block using the fd that the open's CQE returned, then close
// that fd; report the bytes read (or the first error) to user space.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const AT_FDCWD = -100;
const O_RDONLY = 0;
const O_CLOEXEC = 0x80000;
const enum Step {
  Open = 1,
  Read = 2,
  Close = 3,
}

declare const PATH: u64; // NUL-terminated path in user memory
declare const BUF: u64; // buffer for the data
declare const BUF_LEN: u32;

let fd: i32 = -1;
let result: i32 = 0; // bytes read, or the error to report

export function onStart(): void {
  submit.openat({ fd: AT_FDCWD, addr: PATH, openFlags: O_RDONLY | O_CLOEXEC, userData: Step.Open });
}

export function onCompletion(cqe: Cqe): void {
  switch (cqe.userData) {
    case Step.Open:
      if (cqe.res < 0) {
        emit({ userData: Step.Open, res: cqe.res });
        stop();
        return;
      }
      fd = cqe.res; // the new descriptor is the open's result
      submit.read({ fd: fd, addr: BUF, len: BUF_LEN, off: 0, userData: Step.Read });
      break;
    case Step.Read:
      result = cqe.res;
      submit.close({ fd: fd, userData: Step.Close });
      break;
    case Step.Close:
      emit({ userData: Step.Read, res: result });
      stop();
      break;
  }
}
