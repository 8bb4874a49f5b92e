// Read from a socket with a deadline: the read is linked to a linkTimeout, so a read that
// takes too long is cancelled (-ECANCELED) and the timeout reports -ETIME.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const enum Errno {
  Time = -62,
  Canceled = -125,
}
const enum Tag {
  Read = 1,
  Deadline = 2,
}

declare const SOCK: i32;
declare const BUF: u64;
declare const BUF_LEN: u32;
declare const DEADLINE_TS: u64;

let received: u64 = 0;
let timeouts: u32 = 0;

function armRead(): void {
  submit.recv({ fd: SOCK, addr: BUF, len: BUF_LEN, link: true, userData: Tag.Read });
  submit.linkTimeout({ addr: DEADLINE_TS, userData: Tag.Deadline });
}

export function onStart(): void {
  armRead();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == Tag.Deadline) {
    if (cqe.res == Errno.Time) timeouts++;
    return;
  }
  if (cqe.res == Errno.Canceled) {
    if (timeouts >= 3) {
      emit({ userData: received, res: Errno.Time });
      stop();
      return;
    }
    armRead();
    return;
  }
  if (cqe.res <= 0) {
    emit({ userData: received, res: cqe.res });
    stop();
    return;
  }
  received += u64(cqe.res);
  armRead();
}
