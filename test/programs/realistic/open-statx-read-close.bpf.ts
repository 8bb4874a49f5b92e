// Open a file, statx it for its size, read up to the buffer's size, close it; each step
// starts when the previous one completes.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const DIR_FD: i32;
declare const PATH: u64;
declare const STATX_BUF: u64;
declare const BUF: u64;
declare const BUF_LEN: u32;

const Step = { Open: 1, Stat: 2, Read: 3, Close: 4 } as const;
const STATX_SIZE = 0x200;
const AT_FDCWD = -100;

let fd: i32 = -1;
let bytes: u64 = 0;

export function onStart(): void {
  submit.openat({ fd: DIR_FD == 0 ? AT_FDCWD : DIR_FD, addr: PATH, userData: Step.Open });
}

export function onCompletion(cqe: Cqe): void {
  const { res, userData } = cqe;
  if (res < 0) {
    emit({ userData: userData, res: res });
    if (fd >= 0 && userData != Step.Close) submit.close({ fd: fd, userData: Step.Close });
    else stop();
    return;
  }
  switch (userData) {
    case Step.Open:
      fd = res;
      submit.statx({ fd: fd, addr: PATH, addr2: STATX_BUF, len: STATX_SIZE, userData: Step.Stat });
      break;
    case Step.Stat:
      submit.read({ fd: fd, addr: BUF, len: BUF_LEN, off: 0, userData: Step.Read });
      break;
    case Step.Read:
      bytes = u64(res);
      submit.close({ fd: fd, userData: Step.Close });
      break;
    case Step.Close:
      emit({ userData: bytes, res: 0 });
      stop();
      break;
  }
}
