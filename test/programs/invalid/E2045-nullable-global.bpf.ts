import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
let x!: u32 | null;

export function onStart(): void {

}
