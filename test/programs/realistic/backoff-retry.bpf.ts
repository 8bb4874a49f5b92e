// Connect with exponential backoff and jitter: a failed connect waits 2^n ticks plus a
// random extra tick before trying again, up to MAX_ATTEMPTS attempts.
import { Cqe, submit, emit, stop, random, u32, u64, i32 } from "ioubpf/lang";

declare const SOCK_FD: i32;
declare const ADDR: u64;
declare const ADDR_LEN: u64;
declare const TICK_TS: u64; // one tick
const MAX_ATTEMPTS = 6;
const CONNECT = 1;
const WAIT = 2;

let attempts = 0;
let waitTicks = 0;

function connect(): void {
  attempts++;
  submit.connect({ fd: SOCK_FD, addr: ADDR, addr2: ADDR_LEN, userData: CONNECT });
}

export function onStart(): void {
  connect();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == WAIT) {
    if (waitTicks > 0) {
      waitTicks--;
      submit.timeout({ addr: TICK_TS, userData: WAIT });
    } else connect();
    return;
  }
  if (cqe.res >= 0 || attempts >= MAX_ATTEMPTS) {
    emit({ userData: attempts, res: cqe.res });
    return stop();
  }
  waitTicks = (1 << attempts) + (random() & 1);
  submit.timeout({ addr: TICK_TS, userData: WAIT });
}
