// Read from a non-blocking socket; on -EAGAIN retry after a short timeout, at most
// MAX_RETRIES times in a row, and report the final result.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;
declare const BACKOFF_TS: u64;

const EAGAIN = 11;
const MAX_RETRIES = 5;
const Kind = { Read: 1, Wait: 2 } as const;

let retries = 0;

function read(): void {
  submit.read({ fd: FD, addr: BUF, len: LEN, userData: Kind.Read });
}

export function onStart(): void {
  read();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == Kind.Wait) {
    read();
    return;
  }
  if (cqe.res == -EAGAIN && retries < MAX_RETRIES) {
    retries++;
    submit.timeout({ addr: BACKOFF_TS, userData: Kind.Wait });
    return;
  }
  emit({ userData: retries, res: cqe.res });
  stop();
}
