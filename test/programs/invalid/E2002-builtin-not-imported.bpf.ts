import { Cqe } from "ioubpf/lang";

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) ktime();
}
