// iouring-v1: the fact table and how code generation and the kernel oracle treat the target.
import type { TargetEntry } from "../registry.js";
import { IOURING_V1 } from "./info.js";

export { IOURING_V1 };

export const IOURING_V1_TARGET: TargetEntry = {
  info: IOURING_V1,
  codegen: {
    entry: "rfcRequest",
    submit: "queueHelper",
    queuedResult: 0,
    emit: "none",
    funcProto: "ctx",
  },
  kernel: { sleepable: () => false },
  hooks: {},
};
