// target: iouring-v1
// Count how many times the program has run in an array map (user space reads it), and on
// every EVERY-th run queue an fsync of the journal it is linked behind.
import { submit, ArrayMap, u32, u64, i32 } from "ioubpf/lang";

const EVERY = 16;
const RUNS_SLOT = 0;
const SYNCS_SLOT = 1;

declare const JOURNAL_FD: i32;

const counters = new ArrayMap<u32, u64>(2);

export function onStart(): void {
  const runs = counters.get(RUNS_SLOT);
  if (runs === null) return;
  const n = runs + 1;
  counters.set(RUNS_SLOT, n);
  if (n % EVERY != 0) return;
  if (submit.fsync({ fd: JOURNAL_FD, userData: n })) {
    const syncs = counters.get(SYNCS_SLOT);
    if (syncs !== null) counters.set(SYNCS_SLOT, syncs + 1);
  }
}
