// A program that names itself and declares a non-default (still GPL-compatible) license;
// it answers each completion on CQ 1 with an acknowledgement on CQ 0.
import { Cqe, emit } from "ioubpf/lang";

export const name = "acker";
export const license = "Dual MIT/GPL";

export function onCompletion(cqe: Cqe): void {
  emit({ userData: cqe.userData, res: 0, flags: 0, cq: 0 });
}
