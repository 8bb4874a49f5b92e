// iouring-v1: Feb 2021 RFC ("add BPF-driven requests"), based on 5.12. Facts: abi.md.
import { BASE_HELPERS, type TargetInfo } from "../types.js";

export const IOURING_V1: TargetInfo = {
  name: "iouring-v1",
  description: "Feb 2021 RFC: BPF_PROG_TYPE_IOURING, opaque context, helper 163",
  progType: 31,
  progTypeName: "BPF_PROG_TYPE_IOURING",
  progTypeDerived: true,
  sections: { normal: "iouring" },
  submitNeedsSleepable: false,
  context: { kind: "opaque" },
  helpers: {
    ...BASE_HELPERS,
    iouring_queue_sqe: {
      name: "iouring_queue_sqe",
      id: 163,
      args: ["ctx", "mem", "constSize"],
      ret: "integer",
      sleepableOnly: false,
      gplOnly: false,
      fixedSize: 64,
      derived: true,
    },
  },
  kfuncs: {},
  entryPoints: {
    onStart: { available: true },
    onCompletion: {
      available: false,
      reason: "iouring-v1 cannot observe completion results",
      alternative: "link the BPF request after the request instead, or use --target iouring-v2",
    },
  },
  builtins: {
    submit: { available: true },
    emit: {
      available: false,
      reason: "iouring-v1 has no helper that posts a completion",
      alternative:
        "submit a NOP with the wanted userData (submit.nop({ userData })), or use --target iouring-v2",
    },
    stop: { available: true },
    ktime: { available: true },
    random: { available: true },
    trace: { available: true },
    copyFromUser: {
      available: false,
      reason:
        "iouring-v1 programs are not sleepable, and bpf_copy_from_user needs a sleepable program",
      alternative: "use --target iouring-v2, whose programs can be sleepable",
    },
    copyToUser: {
      available: false,
      reason: "iouring-v1 has no bpf_copy_to_user helper",
      alternative: "use --target iouring-v2",
    },
    RingBuf: { available: true },
  },
  sqeCqField: false,
  maxOpcode: 36,
  kernelBase: "5.12",
  returnRule: { kind: "zero" },
  maxMcpu: "v3",
  defaultMcpu: "v3",
  requiresBtf: false,
  requiresGplLicense: false,
  codegenSupported: true,
  constants: { IORING_ATTACH_BPF: 13, IORING_OP_BPF: 37, maxProgs: 100 },
};
