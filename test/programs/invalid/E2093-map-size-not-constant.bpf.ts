import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
declare const N: u32;
const m = new HashMap<u32, u32>(N);

export function onStart(): void {

}
