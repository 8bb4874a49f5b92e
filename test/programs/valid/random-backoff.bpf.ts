// Retry a connect with randomised backoff: after a failure, wait on one of four timespecs
// (user space fills them with 10, 20, 40, 80 ms) chosen with random(), then retry.
import { Cqe, submit, emit, stop, random, u32, u64, i32 } from "ioubpf/lang";

const TIMESPEC_SIZE = 16;
const MAX_TRIES = 8;
const enum Tag {
  Connect = 1,
  Backoff = 2,
}

declare const SOCK: i32;
declare const ADDR: u64;
declare const ADDR_LEN: u64;
declare const BACKOFFS: u64; // struct __kernel_timespec[4]

let tries: u32 = 0;

function connect(): void {
  tries++;
  submit.connect({ fd: SOCK, addr: ADDR, addr2: ADDR_LEN, userData: Tag.Connect });
}

export function onStart(): void {
  connect();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == Tag.Backoff) {
    connect();
    return;
  }
  if (cqe.res == 0 || tries >= MAX_TRIES) {
    emit({ userData: u64(tries), res: cqe.res });
    stop();
    return;
  }
  const pick: u64 = u64(random() % 4);
  submit.timeout({ addr: BACKOFFS + pick * TIMESPEC_SIZE, userData: Tag.Backoff });
}
