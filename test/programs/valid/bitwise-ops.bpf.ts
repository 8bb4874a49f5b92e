// Decode CQE flags with bitwise operators: buffer id from the upper 16 bits, MORE and
// BUFFER bits, and a rotating bitmap of the buffers seen (and, or, xor, not, shifts).
import { Cqe, ArrayMap, u16, u32, u64, i64 } from "ioubpf/lang";

const IORING_CQE_F_BUFFER = 1 << 0;
const IORING_CQE_F_MORE = 1 << 1;
const IORING_CQE_BUFFER_SHIFT = 16;

const seen = new ArrayMap<u32, u64>(1024); // bitmap: 64 buffer ids per word
let toggles: u64 = 0;
let signedProbe: i64 = -1024;

export function onCompletion(cqe: Cqe): void {
  if ((cqe.flags & IORING_CQE_F_BUFFER) == 0) return;
  const bid: u16 = u16(cqe.flags >>> IORING_CQE_BUFFER_SHIFT);
  const word: u32 = u32(bid) >> 6;
  const bit: u64 = u64(1) << u64(bid & 63);
  const cur = seen.get(word);
  if (cur === null) return;
  seen.set(word, (cur | bit) & ~u64(0));
  toggles = toggles ^ bit;
  if ((cqe.flags & IORING_CQE_F_MORE) == 0) {
    // last CQE of a multishot: clear this buffer's bit again
    seen.set(word, cur & ~bit);
  }
  signedProbe = signedProbe >> 1; // arithmetic shift keeps the sign
}
