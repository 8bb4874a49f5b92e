// Submit a batch of writes; the first failure is reported and stops the program, the
// others are counted.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;
declare const CHUNK: u32;

const COUNT = 8;

let ok = 0;

export function onStart(): void {
  for (let i = 0; i < COUNT; i++)
    submit.write({ fd: FD, addr: BUF + i * CHUNK, len: CHUNK, off: i * CHUNK, userData: i });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    return stop();
  }
  ok++;
  if (ok == COUNT) {
    emit({ userData: ok, res: 0 });
    stop();
  }
}
