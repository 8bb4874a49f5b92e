// Tear down a connection on the first error: cancel every request still pending on its
// socket (IORING_ASYNC_CANCEL_FD | _ALL), then close it.
import { Cqe, submit, emit, stop, u64, i32 } from "ioubpf/lang";

const IORING_ASYNC_CANCEL_ALL = 1;
const IORING_ASYNC_CANCEL_FD = 2;
const TEARDOWN = 0xdd;

declare const SOCK: i32;

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == TEARDOWN) {
    emit({ userData: TEARDOWN, res: cqe.res });
    stop();
    return;
  }
  if (cqe.res >= 0) return;
  submit.cancel({
    fd: SOCK,
    cancelFlags: IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL,
    hardlink: true,
    userData: u64(0xcc),
  });
  submit.close({ fd: SOCK, userData: TEARDOWN });
}
