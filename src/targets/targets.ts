// Per-target facts (abi.md): program type, sections, context layout, helpers, entry points,
// builtins, opcode range, return rule, cpu features. Each target has its OWN literal table:
// the 2021 RFC numbers collide with numbers mainline later gave to other things, so no
// number table is shared between targets and a correction is one edit in one place.
// The checker, verifier, code generator and kernel oracle all read these through the
// accessors at the bottom; nothing else should hard-code a target number.
export * from "./types.js";
import type {
  BuiltinAvailability,
  ContextField,
  HelperProto,
  TargetBuiltin,
  TargetInfo,
  TargetName,
} from "./types.js";
import { MCPU_NAMES, TARGET_NAMES, type Mcpu, mcpuLevel } from "./types.js";
import { IOURING_V1 } from "./iouring-v1/info.js";
import { IOURING_V2 } from "./iouring-v2/info.js";
import { LINUX_7_1 } from "./linux-7.1/info.js";

const TARGETS: Readonly<Record<TargetName, TargetInfo>> = {
  "iouring-v1": IOURING_V1,
  "iouring-v2": IOURING_V2,
  "linux-7.1": LINUX_7_1,
};

// ---------------------------------------------------------------------------------------
// Accessors

export function isTargetName(s: string): s is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(s);
}

export function isMcpu(s: string): s is Mcpu {
  return (MCPU_NAMES as readonly string[]).includes(s);
}

export function getTarget(name: TargetName): TargetInfo {
  return TARGETS[name];
}

/** The target for a user-supplied name, or undefined (callers report E9004 / E3001). */
export function findTarget(name: string): TargetInfo | undefined {
  return isTargetName(name) ? TARGETS[name] : undefined;
}

export function helperProto(target: TargetInfo, name: string): HelperProto | undefined {
  return Object.prototype.hasOwnProperty.call(target.helpers, name)
    ? target.helpers[name]
    : undefined;
}

export function helperById(target: TargetInfo, id: number): HelperProto | undefined {
  return Object.values(target.helpers).find((h) => h.id === id);
}

export function builtinAvailability(target: TargetInfo, name: TargetBuiltin): BuiltinAvailability {
  return target.builtins[name];
}

export function opcodeAllowed(target: TargetInfo, opcode: number): boolean {
  return Number.isInteger(opcode) && opcode >= 0 && opcode <= target.maxOpcode;
}

/** The context field of a struct context, or undefined (opaque contexts have none). */
export function contextField(target: TargetInfo, name: string): ContextField | undefined {
  return target.context.kind === "struct"
    ? target.context.fields.find((f) => f.name === name)
    : undefined;
}

/** Signed division and modulo (BPF_SDIV/BPF_SMOD) need cpu v4. */
export function hasSignedDivision(mcpu: Mcpu): boolean {
  return mcpuLevel(mcpu) >= 4;
}
