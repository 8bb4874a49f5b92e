// Wait for a descriptor to become readable with a poll, then read what is there; repeat
// until the peer closes or ROUNDS reads are done.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;

const POLLIN = 0x1;
const ROUNDS = 10;
const Step = { Poll: 1, Read: 2 } as const;

let rounds = 0;
let bytes: u64 = 0;

function poll(): void {
  submit.pollAdd({ fd: FD, pollEvents: POLLIN, userData: Step.Poll });
}

export function onStart(): void {
  poll();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) return stop();
  if (cqe.userData == Step.Poll) {
    submit.read({ fd: FD, addr: BUF, len: LEN, userData: Step.Read });
    return;
  }
  if (cqe.res == 0) {
    emit({ userData: bytes, res: rounds });
    return stop();
  }
  bytes += u64(cqe.res);
  rounds++;
  if (rounds < ROUNDS) poll();
  else stop();
}
