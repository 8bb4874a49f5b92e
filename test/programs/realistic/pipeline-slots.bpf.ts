// A read → write pipeline over a table of buffer slots: each slot's state lives in a local
// array copied from and back to a map entry; a slot is reused when its write completes.
import { Cqe, ArrayMap, FixedArray, submit, stop, u8, u32, u64, i32 } from "ioubpf/lang";

declare const IN_FD: i32;
declare const OUT_FD: i32;
declare const BUF: u64;

const SLOTS = 4;
const SLOT_LEN = 4096;
const WRITE_FLAG: u64 = 0x80;
const enum State {
  Free = 0,
  Reading = 1,
  Writing = 2,
}

interface Table {
  state: FixedArray<u8, 4>;
  off: FixedArray<u64, 4>;
}

const table = new ArrayMap<u32, Table>(1);
let nextOff: u64 = 0;
let done = 0;

function startRead(t: Table, slot: u32): void {
  t.state[slot] = State.Reading;
  t.off[slot] = nextOff;
  submit.read({
    fd: IN_FD,
    addr: BUF + slot * SLOT_LEN,
    len: SLOT_LEN,
    off: nextOff,
    userData: slot,
  });
  nextOff += SLOT_LEN;
}

export function onStart(): void {
  const t = table.get(0);
  if (t === null) return;
  for (let s = 0; s < SLOTS; s++) startRead(t, s);
}

export function onCompletion(cqe: Cqe): void {
  const t = table.get(0);
  if (t === null) return;
  const slot = u32(cqe.userData & 3);
  if (cqe.res <= 0) {
    t.state[slot] = State.Free;
    done++;
    if (done == SLOTS) stop();
    return;
  }
  if ((cqe.userData & WRITE_FLAG) == 0) {
    t.state[slot] = State.Writing;
    submit.write({
      fd: OUT_FD,
      addr: BUF + slot * SLOT_LEN,
      len: u32(cqe.res),
      off: t.off[slot],
      userData: u64(slot) | WRITE_FLAG,
    });
  } else startRead(t, slot);
}
