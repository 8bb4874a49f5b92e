import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";

export function onCompletion(cqe: Cqe): void {
  const a: i32 = 1;
  const b = a + cqe.userData;
}
