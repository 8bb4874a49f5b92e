// Receive loop that accounts bytes and calls in a per-CPU array (no atomics needed), and
// stops when the peer closes.
import { Cqe, submit, emit, stop, PerCpuArrayMap, u32, u64, i32 } from "ioubpf/lang";

const enum Slot {
  Bytes = 0,
  Calls = 1,
}

declare const SOCK: i32;
declare const BUF: u64;
declare const BUF_LEN: u32;

const stats = new PerCpuArrayMap<u32, u64>(2);

function bump(slot: u32, by: u64): void {
  const v = stats.get(slot);
  if (v == null) return;
  stats.set(slot, v + by);
}

export function onStart(): void {
  submit.recv({ fd: SOCK, addr: BUF, len: BUF_LEN, userData: 1 });
}

export function onCompletion(cqe: Cqe): void {
  bump(Slot.Calls, 1);
  if (cqe.res <= 0) {
    emit({ userData: 1, res: cqe.res });
    stop();
    return;
  }
  bump(Slot.Bytes, u64(cqe.res));
  submit.recv({ fd: SOCK, addr: BUF, len: BUF_LEN, userData: 1 });
}
