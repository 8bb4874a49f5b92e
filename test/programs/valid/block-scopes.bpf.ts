// Block statements and block-scoped consts: a retry policy where each branch computes its
// own values in its own block, with early returns from nested blocks.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const EAGAIN = -11;
const MAX_RETRIES = 5;

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;

let retries: u32 = 0;

export function onStart(): void {
  submit.read({ fd: FD, addr: BUF, len: LEN, userData: 0 });
}

export function onCompletion(cqe: Cqe): void {
  {
    const failed = cqe.res < 0;
    if (!failed) {
      emit({ userData: u64(retries), res: cqe.res });
      stop();
      return;
    }
  }
  {
    const again = cqe.res == EAGAIN;
    if (again) {
      if (retries < MAX_RETRIES) {
        retries++;
        {
          const attempt = u64(retries);
          submit.read({ fd: FD, addr: BUF, len: LEN, userData: attempt });
        }
        return;
      }
    }
  }
  emit({ userData: u64(retries), res: cqe.res });
  stop();
}
