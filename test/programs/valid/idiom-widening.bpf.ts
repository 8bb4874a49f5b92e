// Lossless implicit widening (u8/u16/u32 to u64, i32 to i64) in arguments, initialisers,
// `+=`, comparisons and `?:` arms; `c ? 1 : 0` in a conversion and in a typed context;
// `x & ~FLAG` on unsigned types; Math.min and Math.max.
import { Cqe, HashMap, submit, stop, u8, u16, u32, u64, i32, i64 } from "ioubpf/lang";

const F_MORE: u32 = 2;
const LIMIT: u64 = 100;

const out = new HashMap<u32, u64>(16);
let total: u64 = 0;
let signedTotal: i64 = 0;

function record(key: u32, value: u64): void {
  out.set(key, value);
}

export function onStart(): void {
  submit.nop({ userData: 7 });
}

export function onCompletion(cqe: Cqe): void {
  const flags: u32 = cqe.flags | 3;
  const small: u8 = u8(cqe.userData);
  const mid: u16 = u16(cqe.userData) + 1000;
  const wide: u64 = flags; // initialiser: u32 -> u64
  total += small; // +=: u8 -> u64
  total += mid;
  record(1, flags); // argument: u32 -> u64
  record(2, wide + total);
  const res: i32 = cqe.res - 5;
  signedTotal += res; // i32 -> i64
  const s64: i64 = res;
  record(3, u64(s64 < signedTotal ? 1 : 0)); // comparison i64 with i64
  record(4, total > flags ? total : flags); // comparison and ?: arms: u64 vs u32
  record(5, u64(cqe.res == 0 ? 1 : 0)); // a choice of constants in a conversion
  const zero: u32 = cqe.res < 0 ? 1 : 0; // ... and in a typed context
  record(6, u64(zero));
  record(7, u64(flags & ~F_MORE)); // complement within u32
  let mask: u8 = 0xff;
  mask &= ~1;
  record(8, u64(mask));
  record(9, Math.min(total, LIMIT));
  record(10, Math.max(u64(small), flags));
  record(11, u64(Math.min(res, -10) + 100));
  stop();
}
