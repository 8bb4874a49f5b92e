// Classify completions by opcode class encoded in the low byte of userData, using switch
// fall-through to share handling between related kinds, with a default for the rest.
import { Cqe, emit, ArrayMap, u32, u64 } from "ioubpf/lang";

const enum Kind {
  Read = 1,
  ReadFixed = 2,
  ReadV = 3,
  Write = 4,
  WriteFixed = 5,
  Sync = 6,
}
const enum Class {
  Input = 0,
  Output = 1,
  Other = 2,
}

const HIGH_WATER = 1 << 20; // warn user space when this much is written but not synced
const classes = new ArrayMap<u32, u64>(3);
let unsynced: u64 = 0; // bytes written since the last sync

export function onCompletion(cqe: Cqe): void {
  let cls: u32 = Class.Other;
  if ((cqe.userData & 0xff) == Kind.Sync && cqe.res == 0) unsynced = 0;
  switch (u32(cqe.userData & 0xff)) {
    case Kind.Read:
    case Kind.ReadFixed:
    case Kind.ReadV:
      cls = Class.Input;
      break;
    case Kind.Write:
    case Kind.WriteFixed:
      if (cqe.res > 0) unsynced += u64(cqe.res);
    // falls through: a write is output traffic like a sync
    case Kind.Sync:
      cls = Class.Output;
      break;
    default:
      emit({ userData: cqe.userData, res: cqe.res });
  }
  if (unsynced > HIGH_WATER) emit({ userData: unsynced, res: 0, cq: 1 });
  const n = classes.get(cls);
  if (n !== null) classes.set(cls, n + 1);
}
