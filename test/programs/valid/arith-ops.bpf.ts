// Throughput accounting with every arithmetic operator on unsigned types: bytes per
// completion, running mean, remainder bucketing and a wrapped 8-bit sequence number.
import { Cqe, emit, ktime, u8, u16, u32, u64, i32, i64 } from "ioubpf/lang";

let startNs: u64 = 0;
let bytes: u64 = 0;
let count: u32 = 0;
let seq: u8 = 250;
let window: u16 = 0;

export function onStart(): void {
  startNs = ktime();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) return;
  const n = u64(cqe.res);
  bytes = bytes + n;
  count = count + 1;
  const elapsed = ktime() - startNs;
  const mean = bytes / u64(count);
  const rem = bytes % 4096;
  const scaled = (n * 1000) / (elapsed + 1);
  seq = seq + 1; // wraps from 255 to 0
  window = u16(count % 1024) * 2 - u16(seq);
  const unary = -i64(mean);
  emit({ userData: mean + rem + scaled + u64(window), res: i32(unary) });
}
