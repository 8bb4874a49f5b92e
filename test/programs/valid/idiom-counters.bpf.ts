// TypeScript counters as written by habit: `for (let i = 0; i < N; i++)` and `let count = 0`
// take their width from their first typed use, two counters step together, a helper's
// return type is inferred, and a void helper ends with `return f();`.
import { Cqe, HashMap, submit, stop, u32, u64 } from "ioubpf/lang";

const N = 4;

const out = new HashMap<u32, u64>(16);
let completed: u32 = 0;

function square(x: u64) {
  return x * x;
}

function note(key: u32, value: u64): void {
  out.set(key, value);
}

function finish(): void {
  return stop();
}

export function onStart(): void {
  for (let i = 0; i < N; i++) {
    submit.nop({ userData: i + 1 }); // i: u64 (userData)
  }
}

export function onCompletion(cqe: Cqe): void {
  completed++;
  let sum = 0; // u64: it meets square()'s result
  for (let i = 0, j = 10; i < N; i++, j--) sum += square(cqe.userData) + u64(j);
  note(1, sum);
  let count = 0; // u32: compared with `completed`
  for (let k = 0; k < 3; k++) count += 2;
  if (count == completed) note(2, u64(count));
  if (completed == N) {
    note(3, u64(completed));
    return finish();
  }
}
