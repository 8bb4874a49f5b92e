import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";
interface Stats { count: u64; }
const m = new ArrayMap<u32, Stats>(4);

export function onStart(): void {
  const s = m.get(0);
  if (s === null) return;
  s.missing = 1;
}
