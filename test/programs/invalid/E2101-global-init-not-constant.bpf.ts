import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
declare const FD: i32;
let fd: i32 = FD;

export function onStart(): void {

}
