// Wait for a pipe to become readable, then read what is there; re-arm the poll after each
// read until the writer closes (read returns 0).
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const enum Poll {
  In = 0x1,
  Hup = 0x10,
}
const enum Tag {
  Ready = 1,
  Data = 2,
}

declare const PIPE_FD: i32;
declare const BUF: u64;
declare const BUF_LEN: u32;

let total: u64 = 0;

export function onStart(): void {
  submit.pollAdd({ fd: PIPE_FD, pollEvents: Poll.In, userData: Tag.Ready });
}

export function onCompletion(cqe: Cqe): void {
  switch (cqe.userData) {
    case Tag.Ready:
      if (cqe.res < 0) {
        emit({ userData: Tag.Ready, res: cqe.res });
        stop();
        return;
      }
      submit.read({ fd: PIPE_FD, addr: BUF, len: BUF_LEN, off: u64(-1), userData: Tag.Data });
      break;
    case Tag.Data:
      if (cqe.res <= 0) {
        emit({ userData: total, res: cqe.res });
        stop();
        return;
      }
      total += u64(cqe.res);
      submit.pollAdd({ fd: PIPE_FD, pollEvents: Poll.In | Poll.Hup, userData: Tag.Ready });
      break;
    default:
      break;
  }
}
