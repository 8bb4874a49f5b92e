// linux-7.1: the fact table, the object facts shared with loaders and the VM (plumbing.ts),
// and how code generation and the kernel oracle treat the target.
import type { TargetEntry } from "../registry.js";
import { LINUX_7_1 } from "./info.js";

export { LINUX_7_1 };
export * from "./plumbing.js";

export const LINUX_7_1_TARGET: TargetEntry = {
  info: LINUX_7_1,
  codegen: { entry: "structOpsLoop", submit: "sqRegion", emit: "ringbuf", funcProto: "structOps" },
  kernel: {
    unsupported:
      "the kernel oracle checks iouring-v1/iouring-v2 programs only; linux-7.1 needs io_uring struct_ops (load it in the guest)",
    sleepable: () => true,
  },
  hooks: {},
};
