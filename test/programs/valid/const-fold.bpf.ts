// Compile-time constants derived from other constants (folded, no runtime cost): ring
// geometry and a stride computed from page and block sizes.
import { submit, u64, i32 } from "ioubpf/lang";

const PAGE = 4096;
const BLOCKS_PER_PAGE = 8;
const BLOCK = PAGE / BLOCKS_PER_PAGE;
const QUEUE_DEPTH = 1 << 3;
const STRIDE = BLOCK * QUEUE_DEPTH + (PAGE % 3);
const MASK = QUEUE_DEPTH - 1;
const HIGH_TAG = 0x8000000000000000;
const enum Dir {
  Up = 1,
  Down = Up + 1,
}

declare const FD: i32;
declare const BUF: u64;

export function onStart(): void {
  for (let i: u64 = 0; i < QUEUE_DEPTH; i++) {
    submit.read({
      fd: FD,
      addr: BUF + i * BLOCK,
      len: BLOCK,
      off: (i & MASK) * STRIDE,
      userData: HIGH_TAG | (i << 8) | Dir.Down,
    });
  }
}
