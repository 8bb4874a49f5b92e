// target: iouring-v1
import { copyFromUser, Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
interface S { a: u64; }
let s!: S;

export function onStart(): void {
  copyFromUser(s, 0x1000);
}
