import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";

let total: u64 = 0;

export function onCompletion(cqe: Cqe): void {
  let st: u64;
  if (cqe.res > 0) st = 1;
  total += st;
}
