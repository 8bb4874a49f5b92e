// Durable append: write a record and, linked behind it, an fdatasync; report once the sync
// has completed (the write's own CQE is suppressed only on failure paths we do not need).
import { Cqe, submit, emit, stop, u64, i32 } from "ioubpf/lang";

const IORING_FSYNC_DATASYNC = 1;
const RECORD = 512;
const enum Tag {
  Write = 1,
  Sync = 2,
}

declare const LOG_FD: i32;
declare const RECORD_BUF: u64;
declare const RECORDS: u64;

let appended: u64 = 0;

function appendOne(): void {
  submit.write({
    fd: LOG_FD,
    addr: RECORD_BUF,
    len: RECORD,
    off: appended * RECORD,
    link: true,
    userData: Tag.Write,
  });
  submit.fsync({ fd: LOG_FD, fsyncFlags: IORING_FSYNC_DATASYNC, userData: Tag.Sync });
}

export function onStart(): void {
  appendOne();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  }
  if (cqe.userData != Tag.Sync) return;
  appended++;
  if (appended < RECORDS) {
    appendOne();
  } else {
    emit({ userData: Tag.Sync, res: i32(appended) });
    stop();
  }
}
