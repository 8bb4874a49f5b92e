import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
interface Cfg { a: u32; b: u32; }
declare const CFG: Cfg;

export function onStart(): void {
  CFG.a = 3;
}
