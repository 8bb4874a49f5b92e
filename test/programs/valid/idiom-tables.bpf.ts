// Constant tables and names as a TypeScript developer writes them: an `as const` object of
// opcodes, a const enum as a parameter type, `boolean`, and `type` aliases.
import { Cqe, HashMap, submit, stop, u32, u64, i32 } from "ioubpf/lang";

type Fd = i32;
type Key = u32;
type Counter = u64;

const Op = { Read: 1, Write: 2, Sync: 3 } as const;

const enum Phase {
  Start = 10,
  Run = 20,
  Done = 30,
}

const out = new HashMap<Key, Counter>(16);
let failed: boolean = false;

function ok(res: Fd): boolean {
  return res >= 0;
}

function bump(phase: Phase, by: Counter): void {
  const cur = out.get(phase);
  out.set(phase, (cur ?? 0) + by);
}

export function onStart(): void {
  submit.nop({ userData: Op.Read });
  submit.nop({ userData: Op.Write });
  submit.nop({ userData: Op.Sync });
}

export function onCompletion(cqe: Cqe): void {
  const good: boolean = ok(cqe.res);
  if (!good) failed = true;
  switch (cqe.userData) {
    case Op.Read:
      bump(Phase.Start, 1);
      break;
    case Op.Write:
      bump(Phase.Run, 2);
      break;
    case Op.Sync:
      bump(Phase.Done, 3);
      out.set(1, u64(failed ? 1 : 0));
      stop();
      break;
  }
}
