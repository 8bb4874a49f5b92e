// Open a user-supplied path safely with openat2 and RESOLVE_BENEATH (set in the open_how
// user space prepared), installing it into a registered-file slot; then madvise the shared
// buffer the file will be read into.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const OPEN_HOW_SIZE = 24;
const MADV_SEQUENTIAL = 2;
const enum Tag {
  Open = 1,
  Advise = 2,
}

declare const ROOT_FD: i32;
declare const PATH: u64;
declare const HOW: u64; // struct open_how
declare const SLOT: u32;
declare const BUF: u64;
declare const BUF_LEN: u32;

export function onStart(): void {
  submit.openat2({
    fd: ROOT_FD,
    addr: PATH,
    len: OPEN_HOW_SIZE,
    addr2: HOW,
    fileIndex: SLOT + 1,
    userData: Tag.Open,
  });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == Tag.Open && cqe.res >= 0) {
    submit.madvise({
      addr: BUF,
      len: BUF_LEN,
      fadviseAdvice: MADV_SEQUENTIAL,
      userData: Tag.Advise,
    });
    return;
  }
  emit({ userData: cqe.userData, res: cqe.res });
  stop();
}
