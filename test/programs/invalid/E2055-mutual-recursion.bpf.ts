import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
function a(n: u32): void {
  b(n);
}
function b(n: u32): void {
  c(n);
}
function c(n: u32): void {
  if (n > 0) a(n - 1);
}

export function onStart(): void {
  a(3);
}
