// target: linux-7.1
// Create a small directory tree: mkdirat, then a symlink and a hard link inside it, one
// after another; stops on the first failure.
import { Cqe, submit, stop, u32, u64 } from "ioubpf/lang";

const AT_FDCWD = -100;
const MODE = 0o755;
const enum Step {
  Mkdir = 1,
  Symlink = 2,
  Link = 3,
}

declare const DIR_PATH: u64;
declare const LINK_TARGET: u64;
declare const SYMLINK_PATH: u64;
declare const FILE_PATH: u64;
declare const HARDLINK_PATH: u64;

export function onStart(): void {
  submit.mkdirat({ fd: AT_FDCWD, addr: DIR_PATH, len: MODE, userData: Step.Mkdir });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    stop();
    return;
  }
  if (cqe.userData == Step.Mkdir) {
    submit.symlinkat({
      fd: AT_FDCWD,
      addr: LINK_TARGET,
      addr2: SYMLINK_PATH,
      userData: Step.Symlink,
    });
  } else if (cqe.userData == Step.Symlink) {
    submit.linkat({
      fd: AT_FDCWD,
      addr: FILE_PATH,
      len: u32(AT_FDCWD),
      addr2: HARDLINK_PATH,
      hardlinkFlags: 0,
      userData: Step.Link,
    });
  } else {
    stop();
  }
}
