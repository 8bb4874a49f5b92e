// target: iouring-v1
import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
let x: i64 = 7;
let y: i64 = 2;

export function onStart(): void {
  x = x % y;
}
