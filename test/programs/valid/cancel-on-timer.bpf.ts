// Start a long read and a separate timer; when the timer fires first, cancel the read by its
// userData. Reports whether the read finished or was cancelled.
import { Cqe, submit, emit, stop, bool, u32, u64, i32 } from "ioubpf/lang";

const READ_TAG = 0x100;
const TIMER_TAG = 0x200;
const CANCEL_TAG = 0x300;
const ECANCELED = -125;

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;
declare const TIMER_TS: u64;

let readDone: bool = false;

export function onStart(): void {
  submit.read({ fd: FD, addr: BUF, len: LEN, userData: READ_TAG });
  submit.timeout({ addr: TIMER_TS, userData: TIMER_TAG });
}

export function onCompletion(cqe: Cqe): void {
  switch (cqe.userData) {
    case TIMER_TAG:
      if (!readDone) submit.cancel({ addr: READ_TAG, userData: CANCEL_TAG });
      break;
    case READ_TAG:
      readDone = true;
      emit({ userData: READ_TAG, res: cqe.res == ECANCELED ? ECANCELED : cqe.res });
      // the timer may still be pending: cancel it too, then finish
      submit.timeoutRemove({ addr: TIMER_TAG, userData: CANCEL_TAG });
      stop();
      break;
    case CANCEL_TAG:
      break;
  }
}
