import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
interface S { a: u32; b: u32; }
let s!: S;

export function onStart(): void {
  s.c = 1;
}
