import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
interface P { a: u32; }
function f(p: P): P {
  return p;
}

export function onStart(): void {

}
