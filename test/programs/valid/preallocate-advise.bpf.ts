// Prepare a file for a large sequential write: fallocate the space, advise sequential
// access, then sync_file_range the first part after writing it.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const POSIX_FADV_SEQUENTIAL = 2;
const SYNC_FILE_RANGE_WRITE = 2;
const SYNC_FILE_RANGE_WAIT_AFTER = 4;
const enum Tag {
  Alloc = 1,
  Advise = 2,
  Write = 3,
  Sync = 4,
}

declare const FD: i32;
declare const SIZE: u64;
declare const BUF: u64;
declare const BUF_LEN: u32;

export function onStart(): void {
  submit.fallocate({ fd: FD, off: 0, addr: SIZE, link: true, userData: Tag.Alloc });
  submit.fadvise({
    fd: FD,
    off: 0,
    len: 0,
    fadviseAdvice: POSIX_FADV_SEQUENTIAL,
    link: true,
    userData: Tag.Advise,
  });
  submit.write({ fd: FD, addr: BUF, len: BUF_LEN, off: 0, link: true, userData: Tag.Write });
  submit.syncFileRange({
    fd: FD,
    off: 0,
    len: BUF_LEN,
    syncRangeFlags: SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER,
    userData: Tag.Sync,
  });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0 || cqe.userData == Tag.Sync) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
  }
}
