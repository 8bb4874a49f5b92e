import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
function fact(n: u32): u32 {
  if (n == 0) return 1;
  return n * fact(n - 1);
}

export function onStart(): void {
  fact(5);
}
