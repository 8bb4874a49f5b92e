import { Cqe } from "ioubpf/lang";

let count: u64 = 0;

export function onCompletion(cqe: Cqe): void {
  count = count + 1;
}
