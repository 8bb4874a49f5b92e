// Keep a running checksum of completion results in an array map, one entry per CPU-less
// counter: the sum, a rotating xor, and the number of results folded in.
import { Cqe, ArrayMap, submit, stop, u32, u64 } from "ioubpf/lang";

const SUM = 0;
const XOR = 1;
const COUNT = 2;
const acc = new ArrayMap<u32, u64>(3);

function add(key: u32, value: u64): void {
  const cur = acc.get(key) ?? 0;
  acc.set(key, cur + value);
}

function rotl(x: u64, n: u64) {
  return (x << n) | (x >> (64 - n));
}

export function onStart(): void {
  for (let i = 0; i < 6; i++) submit.nop({ userData: i * 7 + 1 });
}

export function onCompletion(cqe: Cqe): void {
  const v = cqe.userData ^ u64(cqe.flags);
  add(SUM, v);
  const x = acc.get(XOR);
  if (x !== null) acc.set(XOR, rotl(x, 5) ^ v);
  add(COUNT, 1);
  if ((acc.get(COUNT) ?? 0) >= 6) stop();
}
