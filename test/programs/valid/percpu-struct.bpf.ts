// Per-CPU counters with a struct value: min, max and sum of results per CPU, no atomics.
import { Cqe, PerCpuArrayMap, u32, u64, i32 } from "ioubpf/lang";

interface Summary {
  count: u64;
  sum: u64;
  min: i32;
  max: i32;
}

const summary = new PerCpuArrayMap<u32, Summary>(1);

export function onCompletion(cqe: Cqe): void {
  const s = summary.get(0);
  if (s === null) return;
  if (s.count == 0 || cqe.res < s.min) s.min = cqe.res;
  if (s.count == 0 || cqe.res > s.max) s.max = cqe.res;
  s.count++;
  if (cqe.res > 0) s.sum += u64(cqe.res);
}
