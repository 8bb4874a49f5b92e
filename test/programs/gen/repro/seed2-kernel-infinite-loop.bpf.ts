// Reproducer (generator seed 2, minimised): the strict kernel rejects the iouring-v2 object with
// "infinite loop detected at insn 41" (the copy loop's index-select chain); our verifier accepts
// it and the VM runs it to completion. Not in CI.
import { FixedArray, u32, u64 } from "ioubpf/lang";
let g: u64 = 0;
export function onStart(): void {
  let arr!: FixedArray<u32, 4>;
  for (let i = 0; i < 4; i++) arr[i] = 0;
  for (let i = 0; i < 4; i++) {
    arr[u32(g) & 3] = arr[u32(i) & 3];
  }
  g = u64(arr[0]);
}
