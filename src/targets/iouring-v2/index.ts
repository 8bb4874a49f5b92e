// iouring-v2: the fact table and how code generation and the kernel oracle treat the target.
import type { TargetEntry } from "../registry.js";
import { IOURING_V2 } from "./info.js";

export { IOURING_V2 };

export const IOURING_V2_TARGET: TargetEntry = {
  info: IOURING_V2,
  codegen: {
    entry: "rfcRequest",
    submit: "queueHelper",
    queuedResult: 1,
    emit: "helper",
    funcProto: "ctx",
  },
  // `iouring.s/…` (and anything but the plain sections) is sleepable.
  kernel: { sleepable: (section) => !section.startsWith("iouring/") && section !== "iouring" },
  hooks: {},
};
