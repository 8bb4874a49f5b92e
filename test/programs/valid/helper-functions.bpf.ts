// Helper functions: a five-parameter SQE builder, helpers calling helpers and returning
// values, used to write a file in stripes across two registered files.
import { Cqe, submit, emit, stop, bool, u32, u64, i32 } from "ioubpf/lang";

const STRIPE = 4096;
const STRIPES = 64;

declare const DISK_A: i32;
declare const DISK_B: i32;
declare const SRC_BUF: u64;

let done: u32 = 0;

function min(a: u64, b: u64): u64 {
  return a < b ? a : b;
}

function diskFor(stripe: u32): i32 {
  return (stripe & 1) == 0 ? DISK_A : DISK_B;
}

function writeStripe(fd: i32, buf: u64, len: u32, off: u64, tag: u64): bool {
  return submit.write({ fd: fd, fixedFile: true, addr: buf, len: len, off: off, userData: tag });
}

function queueStripe(stripe: u32): void {
  const fileOff = u64(stripe >> 1) * STRIPE;
  const srcOff = min(u64(stripe) * STRIPE, u64(STRIPES - 1) * STRIPE);
  writeStripe(diskFor(stripe), SRC_BUF + srcOff, STRIPE, fileOff, u64(stripe));
}

export function onStart(): void {
  queueStripe(0);
  queueStripe(1);
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  }
  done++;
  const next = u32(cqe.userData) + 2;
  if (next < STRIPES) {
    queueStripe(next);
  } else if (done == STRIPES) {
    emit({ userData: 0, res: i32(done) });
    stop();
  }
}
