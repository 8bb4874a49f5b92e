// linux-7.1: mainline io_uring_bpf_ops struct_ops (Linux 7.1, 2026). Facts: abi.md,
// docs/linux-7.1.md.
import { BASE_HELPERS, type TargetInfo } from "../types.js";

export const LINUX_7_1: TargetInfo = {
  name: "linux-7.1",
  description: "mainline io_uring_bpf_ops struct_ops with kfuncs (needs BTF)",
  progType: 27,
  progTypeName: "BPF_PROG_TYPE_STRUCT_OPS",
  progTypeDerived: false,
  sections: { sleepable: "struct_ops.s/<name>", structOpsMap: ".struct_ops.link" },
  submitNeedsSleepable: true,
  context: {
    kind: "structOpsArgs",
    args: [
      { name: "ctx", btfType: "iou_ctx", writableFields: [] },
      { name: "lp", btfType: "iou_loop_params", writableFields: ["cq_wait_idx"] },
    ],
  },
  helpers: {
    ...BASE_HELPERS,
  },
  kfuncs: {
    bpf_io_uring_submit_sqes: {
      name: "bpf_io_uring_submit_sqes",
      args: ["ctx", "anything"],
      ret: "integer",
      sleepableOnly: true,
    },
    bpf_io_uring_get_region: {
      name: "bpf_io_uring_get_region",
      args: ["ctx", "anything", "constSize"],
      ret: "memOrNull",
      sleepableOnly: false,
    },
  },
  entryPoints: { onStart: { available: true }, onCompletion: { available: true } },
  builtins: {
    submit: { available: true, sleepableOnly: true },
    // A 16-byte CQE-shaped record into the ring buffer map `iou_emit` (docs/linux-7.1.md).
    emit: { available: true },
    stop: { available: true },
    ktime: { available: true },
    random: { available: true },
    trace: { available: true },
    copyFromUser: {
      available: false,
      reason: "io_uring_bpf_ops programs may call only the base helpers",
      alternative: "pass the data through a map or the MEM region, or use --target iouring-v2",
    },
    copyToUser: {
      available: false,
      reason: "io_uring_bpf_ops programs may call only the base helpers",
      alternative: "pass the data through a map or the MEM region, or use --target iouring-v2",
    },
    RingBuf: { available: true },
  },
  sqeCqField: false,
  maxOpcode: 64,
  kernelBase: "7.1",
  returnRule: { kind: "values", values: { IOU_LOOP_CONTINUE: 0, IOU_LOOP_STOP: 1 } },
  maxMcpu: "v4",
  defaultMcpu: "v4",
  requiresBtf: true,
  requiresGplLicense: true,
  codegenSupported: true,
  constants: {
    regionMem: 0,
    regionCq: 1,
    regionSq: 2,
    opsLoopStepOffset: 0,
    opsRingFdOffset: 8,
    opsPrivOffset: 16,
    loopParamsCqWaitIdxOffset: 0,
  },
};
