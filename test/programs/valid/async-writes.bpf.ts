// Push writes to a slow device straight to the async workers (async: true) so that the
// non-blocking attempt is skipped, with RWF_DSYNC per write; count completions per result.
import { Cqe, submit, emit, stop, ArrayMap, u32, u64, i32 } from "ioubpf/lang";

const RWF_DSYNC = 0x2;
const WRITES = 16;
const enum Outcome {
  Full = 0,
  Short = 1,
  Failed = 2,
}

declare const DEV: i32;
declare const BUF: u64;
declare const LEN: u32;

const outcomes = new ArrayMap<u32, u64>(3);
let completed: u32 = 0;

export function onStart(): void {
  for (let i: u32 = 0; i < WRITES; i++) {
    submit.write({
      fd: DEV,
      addr: BUF,
      len: LEN,
      off: u64(i) * u64(LEN),
      rwFlags: RWF_DSYNC,
      async: true,
      userData: u64(i),
    });
  }
}

export function onCompletion(cqe: Cqe): void {
  const o: u32 = cqe.res < 0 ? Outcome.Failed : u32(cqe.res) < LEN ? Outcome.Short : Outcome.Full;
  const c = outcomes.get(o);
  if (c !== null) outcomes.set(o, c + 1);
  completed++;
  if (completed == WRITES) {
    emit({ userData: 0, res: i32(completed) });
    stop();
  }
}
