// target: linux-7.1
// Reset a spool file and create a fresh pipe for the next job: ftruncate the spool to zero,
// then pipe2 with O_CLOEXEC into the int[2] user space provided; turn a registered socket
// into a normal fd for a child process with fixedFdInstall.
import { Cqe, submit, stop, u64, i32 } from "ioubpf/lang";

const O_CLOEXEC = 0x80000;
const IORING_FIXED_FD_NO_CLOEXEC = 1;
const enum Step {
  Truncate = 1,
  Pipe = 2,
  Install = 3,
}

declare const SPOOL_FD: i32;
declare const FDS: u64; // int[2]
declare const SOCK_SLOT: i32;

export function onStart(): void {
  submit.ftruncate({ fd: SPOOL_FD, off: 0, link: true, userData: Step.Truncate });
  submit.pipe({ addr: FDS, pipeFlags: O_CLOEXEC, link: true, userData: Step.Pipe });
  submit.fixedFdInstall({
    fd: SOCK_SLOT,
    installFdFlags: IORING_FIXED_FD_NO_CLOEXEC,
    userData: Step.Install,
  });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0 || cqe.userData == Step.Install) stop();
}
