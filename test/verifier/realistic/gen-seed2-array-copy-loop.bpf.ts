// Found by the random valid-program generator (seed 2, minimised): a local FixedArray copy
// loop. Every kernel that loads io_uring programs accepts it: the privileged 6.18 kernel
// (1,156 processed) and the 7.2 guest for linux-7.1 (1,088; struct_ops load privileged).
// Only the strict (unprivileged) kernel rejects it, "infinite loop detected": its Spectre-v1
// walk of the impossible side of the index-select chain's decided branches (`if r1 < 2` with
// r1 a known index) goes round the loop with the compared register unknown and meets its own
// ancestor. A difference by design (docs/verifier.md); realistic.test.ts classifies it.
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
