// Map values as TypeScript handles them: `m.get(k) ?? 0`, `m.get(k)?.count ?? 0`, a
// narrowed struct value updated with ++, += and = inside `if (v !== null)` (the map entry
// changes), a narrowed integer given new values (only the variable changes, as in
// TypeScript), and a `let` rebound to another lookup.
import { Cqe, HashMap, submit, stop, u32, u64 } from "ioubpf/lang";

interface Stat {
  count: u64;
  bytes: u64;
  last: u64;
}

const counts = new HashMap<u64, u64>(16);
const stats = new HashMap<u64, Stat>(16);
const out = new HashMap<u32, u64>(16);
let seen: u32 = 0;

export function onStart(): void {
  counts.set(1, 40);
  stats.set(1, { count: 5, bytes: 0, last: 0 });
  submit.nop({ userData: 1 });
  submit.nop({ userData: 2 });
}

export function onCompletion(cqe: Cqe): void {
  const tag = cqe.userData;
  counts.set(tag, (counts.get(tag) ?? 0) + 1);
  let s = stats.get(tag);
  if (s === null) {
    stats.set(tag, { count: 0, bytes: 0, last: 0 });
    s = stats.get(tag);
  }
  if (s !== null) {
    s.count++;
    s.bytes += 100;
    s.last = tag;
  }
  seen++;
  if (seen == 2) {
    out.set(1, counts.get(1) ?? 0);
    out.set(2, counts.get(2) ?? 0);
    out.set(3, counts.get(3) ?? 99);
    out.set(4, stats.get(1)?.count ?? 0);
    out.set(5, stats.get(2)?.bytes ?? 0);
    out.set(6, stats.get(3)?.count ?? 77);
    // An integer read from a map is a number: changing the variable leaves the map as is.
    let c = counts.get(1);
    if (c !== null) {
      c++;
      c += 5;
      c = c * 2;
      out.set(7, c);
    }
    out.set(8, counts.get(1) ?? 0);
    stop();
  }
}
