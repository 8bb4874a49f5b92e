import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
function f(a: u32, b: u32, c: u32, d: u32, e: u32, g: u32): void {}

export function onStart(): void {
  f(1, 2, 3, 4, 5, 6);
}
