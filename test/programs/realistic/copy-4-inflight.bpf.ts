// Copy a file with 4 reads in flight: each completed read is written at its offset, and the
// next block is read into the buffer slot the write frees.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const IN_FD: i32;
declare const OUT_FD: i32;
declare const BUF: u64; // 4 slots of BLOCK bytes
declare const SIZE: u64;

const BLOCK = 64 * 1024;
const SLOTS = 4;
const WRITE_BIT = 0x100;

let nextOff: u64 = 0;
let written: u64 = 0;

function readSlot(slot: u64): void {
  if (nextOff >= SIZE) return;
  // userData: the slot, and the block number above bit 16 (where the write goes).
  const block = nextOff / BLOCK;
  submit.read({
    fd: IN_FD,
    addr: BUF + slot * BLOCK,
    len: BLOCK,
    off: nextOff,
    userData: slot | (block << 16),
  });
  nextOff += BLOCK;
}

export function onStart(): void {
  for (let slot = 0; slot < SLOTS; slot++) readSlot(slot);
}

export function onCompletion(cqe: Cqe): void {
  const { res, userData } = cqe;
  if (res < 0) {
    emit({ userData: userData, res: res });
    stop();
    return;
  }
  const slot = userData & 0xff;
  if ((userData & WRITE_BIT) == 0) {
    if (res == 0) return;
    const off = (userData >> 16) * BLOCK;
    submit.write({
      fd: OUT_FD,
      addr: BUF + slot * BLOCK,
      len: u32(res),
      off: off,
      userData: slot | WRITE_BIT,
    });
    return;
  }
  written += u64(res);
  if (written >= SIZE) {
    emit({ userData: 0, res: 0 });
    stop();
    return;
  }
  readSlot(slot);
}
