// A while loop whose bound is a runtime value clamped by a constant, so the verifier can
// prove it terminates: queue as many NOP "credits" as the completion's res grants, at most 16.
import { Cqe, submit, u32, u64 } from "ioubpf/lang";

const MAX_CREDITS = 16;
const CREDIT_TAG = 0x1000;

let granted: u64 = 0;

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData >= CREDIT_TAG) return; // our own NOPs
  if (cqe.res <= 0) return;
  const want = u32(cqe.res);
  let i: u32 = 0;
  while (i < want && i < MAX_CREDITS) {
    submit.nop({ userData: CREDIT_TAG + granted });
    granted++;
    i++;
  }
}
