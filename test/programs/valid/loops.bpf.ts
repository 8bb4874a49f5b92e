// Every loop form on a small job table: find free slots (for + continue), drain a bounded
// queue (while + break), and retry submission a bounded number of times (do…while).
import { Cqe, submit, ArrayMap, bool, u32, u64, i32 } from "ioubpf/lang";

const SLOTS = 8;
const MAX_RETRY = 3;
const MAX_SPINS = 2; // refills per completion

declare const FD: i32;
declare const BUF: u64;
declare const BLOCK: u32;

const busy = new ArrayMap<u32, u32>(SLOTS); // 1 while a read for the slot is in flight
let pending: u32 = 0; // reads wanted but not yet queued

function startRead(slot: u32): bool {
  let tries: u32 = 0;
  let queued: bool = false;
  do {
    queued = submit.read({
      fd: FD,
      addr: BUF + u64(slot) * u64(BLOCK),
      len: BLOCK,
      off: u64(slot) * u64(BLOCK),
      userData: slot,
    });
    tries++;
  } while (!queued && tries < MAX_RETRY);
  return queued;
}

function fillSlots(): void {
  for (let s: u32 = 0; s < SLOTS; s++) {
    if (pending == 0) break;
    const b = busy.get(s);
    if (b === null || b != 0) continue;
    if (startRead(s)) {
      busy.set(s, 1);
      pending--;
    }
  }
}

export function onStart(): void {
  pending = SLOTS * 2;
  fillSlots();
}

export function onCompletion(cqe: Cqe): void {
  const slot = u32(cqe.userData);
  if (slot < SLOTS) busy.set(slot, 0);
  let spins: u32 = 0;
  while (spins < MAX_SPINS) {
    spins++;
    if (pending == 0) break;
    fillSlots();
    if (pending == 0) break;
  }
}
