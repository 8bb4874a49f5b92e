import { u64 } from "ioubpf/lang";
let total: u64;

export function onStart(): void {
  total += 1;
}
