// target: iouring-v1
// Queue a linked chain of NOPs ending in a NOP without the link flag; the chain's CQEs tell
// user space the program ran and how long the chain was.
import { submit, u64 } from "ioubpf/lang";

const CHAIN = 4;

export function onStart(): void {
  for (let i: u64 = 0; i < CHAIN - 1; i++) {
    submit.nop({ link: true, userData: 100 + i });
  }
  submit.nop({ userData: 100 + CHAIN - 1 });
}
