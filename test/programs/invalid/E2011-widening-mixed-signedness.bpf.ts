import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";

let total: i64 = 0;

export function onCompletion(cqe: Cqe): void {
  // Lossless widening keeps the signedness: u32 does not become i64 implicitly.
  total += cqe.flags;
}
