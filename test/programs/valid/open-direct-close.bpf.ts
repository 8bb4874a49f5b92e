// Open a file straight into a registered-file slot (no normal fd), write a marker through the
// slot, then close the slot with close({ fileIndex }).
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const AT_FDCWD = -100;
const O_WRONLY = 1;
const O_CREAT = 0x40;
const O_TRUNC = 0x200;
const MODE = 0o644;
const enum Tag {
  Open = 1,
  Write = 2,
  Close = 3,
}

declare const PATH: u64;
declare const SLOT: u32; // registered-file slot to use
declare const MARK: u64;
declare const MARK_LEN: u32;

export function onStart(): void {
  submit.openat({
    fd: AT_FDCWD,
    addr: PATH,
    len: MODE,
    openFlags: O_WRONLY | O_CREAT | O_TRUNC,
    fileIndex: SLOT + 1,
    link: true,
    userData: Tag.Open,
  });
  submit.write({
    fd: slotFd(),
    fixedFile: true,
    addr: MARK,
    len: MARK_LEN,
    link: true,
    userData: Tag.Write,
  });
  submit.close({ fileIndex: SLOT + 1, userData: Tag.Close });
}

function slotFd(): i32 {
  return i32(SLOT);
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0 || cqe.userData == Tag.Close) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
  }
}
