import { Cqe, frobnicate } from "ioubpf/lang";

export function onCompletion(cqe: Cqe): void {
  return;
}
