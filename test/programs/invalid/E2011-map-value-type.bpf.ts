import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
const m = new ArrayMap<u32, u64>(4);
let flag: bool = false;

export function onStart(): void {
  m.set(0, flag);
}
