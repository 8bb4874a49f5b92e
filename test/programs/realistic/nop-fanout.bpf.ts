// Fan out WIDTH NOPs at once, count their completions, and start the next wave until
// WAVES waves have completed.
import { Cqe, submit, emit, stop, u32, u64 } from "ioubpf/lang";

const WIDTH = 16;
const WAVES = 3;

let wave = 0;
let left = 0;

function fanOut(): void {
  for (let i = 0; i < WIDTH; i++) {
    if (submit.nop({ userData: (u64(wave) << 32) | i })) left++;
  }
}

export function onStart(): void {
  fanOut();
}

export function onCompletion(cqe: Cqe): void {
  left--;
  if (left > 0) return;
  wave++;
  emit({ userData: wave, res: 0 });
  if (wave < WAVES) fanOut();
  else stop();
}
