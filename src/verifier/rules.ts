// Program-type rules as data, per target. Everything target-specific the verifier checks is
// read from here, and everything here is derived from src/targets/targets.ts (context layout,
// helper prototypes, sleepable/GPL flags, return rule, sections), so a correction to a target
// is one edit there. The rules that are the same for every program type (memory safety,
// stack, pointers, loops) live in the engine.
import {
  getTarget,
  type ContextField,
  type HelperProto,
  type TargetInfo,
  type TargetName,
} from "../targets/targets.js";
import { helperPrototype } from "./helpers.js";
import { isGplCompatible } from "../targets/bpf-abi.js";

export interface ProgramRules {
  target: TargetInfo;
  /** How the context may be accessed. */
  ctx:
    | { kind: "opaque" }
    | { kind: "fields"; size: number; fields: readonly ContextField[] }
    // linux-7.1: r1 is the struct_ops argument array (src/verifier/structops.ts)
    | { kind: "structOps" }
    | { kind: "unsupported" };
  /** The program's return value: only constants in this set are accepted (undefined = any scalar). */
  returnValues?: readonly bigint[];
  sleepable: boolean;
  gplLicense: boolean;
  helper(id: number): HelperProto | undefined;
  /** Highest instruction cpu version the target kernel knows. */
  maxCpu: number;
  /**
   * Also apply the unprivileged kernel's Spectre-v1 mitigations, which a privileged loader
   * (CAP_BPF + CAP_PERFMON) does not get: the walk of the impossible side of decided branches
   * (loops it reports as infinite there), pointer-arithmetic sanitation (E6018), and the ban
   * on partly overwriting a spilled pointer (E6028 on a store). Off by default: io_uring
   * programs are loaded privileged (docs/verifier.md, "Which kernel we match").
   */
  unprivileged?: boolean;
}

export { isGplCompatible };

/** Whether a program in `section` is loaded sleepable on `target` (abi.md: `iouring.s/`). */
export function isSleepableSection(target: TargetInfo, section: string): boolean {
  const s = target.sections.sleepable;
  if (!s) return false;
  const prefix = s.replace(/<name>$/, "");
  return section.startsWith(prefix);
}

export function rulesFor(
  name: TargetName,
  section: string,
  license: string,
  sleepable?: boolean,
  unprivileged = false,
): ProgramRules {
  const target = getTarget(name);
  const ctx: ProgramRules["ctx"] =
    target.context.kind === "opaque"
      ? { kind: "opaque" }
      : target.context.kind === "struct"
        ? { kind: "fields", size: target.context.size, fields: target.context.fields }
        : target.context.kind === "structOpsArgs"
          ? { kind: "structOps" }
          : { kind: "unsupported" };
  const rr = target.returnRule;
  const returnValues = rr.kind === "zero" ? [0n] : Object.values(rr.values).map((v) => BigInt(v));
  return {
    target,
    ctx,
    returnValues,
    sleepable: sleepable ?? isSleepableSection(target, section),
    gplLicense: isGplCompatible(license),
    helper: (id) => helperPrototype(target, id),
    maxCpu: Number(target.maxMcpu.slice(1)),
    unprivileged,
  };
}
