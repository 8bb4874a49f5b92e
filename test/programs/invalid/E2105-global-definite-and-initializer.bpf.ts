import { u64 } from "ioubpf/lang";
let total!: u64 = 0;

export function onStart(): void {
  total += 1;
}
