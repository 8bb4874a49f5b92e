// Maintain a checksum-like fingerprint of completion results using every compound
// assignment operator and the increment/decrement forms.
import { Cqe, emit, u32, u64, i32, i64 } from "ioubpf/lang";

// eslint-disable-next-line no-loss-of-precision -- compiled, never run: u64 literals are read exactly
let h: u64 = 0xcbf29ce484222325;
let n: u32 = 0;
let inFlight: i64 = 8;
let last: u32 = 0;

export function onCompletion(cqe: Cqe): void {
  const r = u64(u32(cqe.res));
  h ^= r;
  h *= 0x100000001b3;
  h += u64(n);
  h -= 1;
  h /= 3;
  // eslint-disable-next-line no-loss-of-precision -- as above
  h %= 0x7fffffffffffffff;
  h <<= 1;
  h >>= 2;
  h >>>= 1;
  h &= 0xffffffffffff;
  h |= 1;
  const before = n++;
  ++n;
  --n;
  last = n--;
  n++;
  inFlight--;
  --inFlight;
  inFlight += 2;
  if (before % 16 == 15) emit({ userData: h, res: i32(u32(inFlight) + last) });
}
