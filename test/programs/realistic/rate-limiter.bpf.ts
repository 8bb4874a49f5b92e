// A token-bucket rate limiter in front of sends: tokens refill with time; a send without a
// token waits for a short timeout and tries again.
import { Cqe, submit, emit, stop, ktime, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const MSG: u64;
declare const MSG_LEN: u32;
declare const WAIT_TS: u64;

const RATE_PER_MS = 2;
const BURST: u64 = 8;
const TOTAL = 20;
const Tag = { Send: 1, Wait: 2 } as const;

let tokens: u64 = BURST;
let lastRefill: u64 = 0;
let sent = 0;

function refill(): void {
  const now = ktime();
  const ms = (now - lastRefill) / 1000000;
  if (ms > 0) {
    tokens = Math.min(tokens + ms * RATE_PER_MS, BURST);
    lastRefill = now;
  }
}

function trySend(): void {
  refill();
  if (tokens == 0) {
    submit.timeout({ addr: WAIT_TS, userData: Tag.Wait });
    return;
  }
  tokens--;
  submit.send({ fd: FD, addr: MSG, len: MSG_LEN, userData: Tag.Send });
}

export function onStart(): void {
  lastRefill = ktime();
  trySend();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == Tag.Send) {
    if (cqe.res < 0) {
      emit({ userData: sent, res: cqe.res });
      return stop();
    }
    sent++;
    if (sent == TOTAL) return stop();
  }
  trySend();
}
