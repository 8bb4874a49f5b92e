// Atomic replace: after the new version of a file has been written and synced by user space,
// rename it over the old name and unlink the backup; report the result.
import { Cqe, submit, emit, stop, u32, u64 } from "ioubpf/lang";

const AT_FDCWD = -100;
const enum Tag {
  Rename = 1,
  Unlink = 2,
}

declare const TMP_PATH: u64;
declare const FINAL_PATH: u64;
declare const BACKUP_PATH: u64;

export function onStart(): void {
  submit.renameat({
    fd: AT_FDCWD,
    addr: TMP_PATH,
    len: u32(AT_FDCWD),
    addr2: FINAL_PATH,
    link: true,
    userData: Tag.Rename,
  });
  submit.unlinkat({ fd: AT_FDCWD, addr: BACKUP_PATH, unlinkFlags: 0, userData: Tag.Unlink });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0 || cqe.userData == Tag.Unlink) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
  }
}
