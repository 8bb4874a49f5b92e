// A read with a deadline: a timeout runs next to the read; whichever completes first
// cancels the other, and the outcome is reported once.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;
declare const DEADLINE_TS: u64;

const READ = 1;
const DEADLINE = 2;
const CANCEL = 3;
const ETIME = 62;

let finished = false;
let pending = 2;

export function onStart(): void {
  submit.read({ fd: FD, addr: BUF, len: LEN, userData: READ });
  submit.timeout({ addr: DEADLINE_TS, userData: DEADLINE });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == CANCEL) return;
  pending--;
  if (!finished) {
    finished = true;
    if (cqe.userData == READ) {
      emit({ userData: READ, res: cqe.res });
      submit.cancel({ addr: DEADLINE, userData: CANCEL });
    } else {
      emit({ userData: DEADLINE, res: -ETIME });
      submit.cancel({ addr: READ, userData: CANCEL });
    }
  }
  if (pending == 0) stop();
}
