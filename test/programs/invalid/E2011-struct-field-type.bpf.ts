import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
interface Pair { a: u32; b: u32; }

export function onCompletion(cqe: Cqe): void {
  const p: Pair = { a: cqe.userData, b: 0 };
}
