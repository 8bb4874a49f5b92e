// Types of the per-target fact tables (abi.md) and the base helpers every target shares.
// The tables themselves live in one folder per target (src/targets/<name>/); targets.ts
// re-exports these and keeps the accessors.

export type TargetName = "iouring-v1" | "iouring-v2" | "linux-7.1";
export const TARGET_NAMES: readonly TargetName[] = ["iouring-v1", "iouring-v2", "linux-7.1"];
export const DEFAULT_TARGET: TargetName = "linux-7.1";

export type Mcpu = "v1" | "v2" | "v3" | "v4";
export const MCPU_NAMES: readonly Mcpu[] = ["v1", "v2", "v3", "v4"];
export function mcpuLevel(m: Mcpu): number {
  return Number(m.slice(1));
}

/** What a helper argument must be (the kernel's ARG_* kinds, reduced to what we use). */
export type HelperArgKind =
  | "ctx" // the program's context pointer
  | "mapPtr" // a map (ld_imm64 map fd)
  | "mapKey" // pointer to an initialised key of the map's key size
  | "mapValue" // pointer to an initialised value of the map's value size
  | "mem" // pointer to initialised memory (size in the next const-size arg)
  | "uninitMem" // pointer to memory the helper fills
  | "constSize" // verifier-known constant size
  | "constSizeOrZero"
  | "anything" // any scalar
  | "string"; // pointer to a constant string (trace format)

export type HelperReturn = "integer" | "mapValueOrNull" | "void";

export interface HelperProto {
  /** Kernel name without the `bpf_` prefix. */
  readonly name: string;
  readonly id: number;
  readonly args: readonly HelperArgKind[];
  readonly ret: HelperReturn;
  readonly sleepableOnly: boolean;
  readonly gplOnly: boolean;
  /** A constant-size argument that must equal exactly this value (queue_sqe 64, reap 16). */
  readonly fixedSize?: number;
  /** Set when the number comes from enum position in posted patches (abi.md "derived"). */
  readonly derived?: boolean;
  /**
   * Offered only to a loader with CAP_PERFMON (the kernel's base helper set). Such a loader
   * also skips the verifier's Spectre-v1 speculative walk, which codegen relies on.
   */
  readonly perfmonOnly?: boolean;
}

/** A kfunc (linux-7.1): called by BTF id, resolved by name at load time. */
export interface KfuncProto {
  readonly name: string;
  readonly args: readonly HelperArgKind[];
  readonly ret: "integer" | "memOrNull";
  readonly sleepableOnly: boolean;
}

export interface ContextField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /** The kernel reads the field back after the run. */
  readonly readBack: boolean;
}

export type ContextLayout =
  | { readonly kind: "opaque" } // any load/store through ctx is invalid
  | {
      readonly kind: "struct";
      readonly name: string;
      readonly size: number;
      readonly fields: readonly ContextField[];
    }
  | {
      // struct_ops: the program receives BTF pointers as arguments
      readonly kind: "structOpsArgs";
      readonly args: readonly {
        readonly name: string;
        readonly btfType: string;
        readonly writableFields: readonly string[];
      }[];
    };

/** Builtins of ioubpf/lang whose availability depends on the target. */
export type TargetBuiltin =
  | "submit"
  | "emit"
  | "stop"
  | "ktime"
  | "random"
  | "trace"
  | "copyFromUser"
  | "copyToUser"
  | "RingBuf";

/** How a builtin is (un)available; `alternative` is the hint shown when it is not. */
export type BuiltinAvailability =
  | { readonly available: true; readonly sleepableOnly?: boolean }
  | { readonly available: false; readonly reason: string; readonly alternative: string };

export type EntryPointName = "onStart" | "onCompletion";

export type EntryAvailability =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string; readonly alternative: string };

export type ReturnRule =
  | { readonly kind: "zero" } // the verifier accepts only the constant 0
  | { readonly kind: "values"; readonly values: Readonly<Record<string, number>> };

export interface TargetInfo {
  readonly name: TargetName;
  readonly description: string;
  /** BPF_PROG_TYPE_* number. */
  readonly progType: number;
  readonly progTypeName: string;
  readonly progTypeDerived: boolean;
  /** ELF section of the program: plain and sleepable. `<name>` is replaced by the program name. */
  readonly sections: {
    readonly normal?: string;
    readonly sleepable?: string;
    readonly structOpsMap?: string;
  };
  /** The program must be loaded sleepable for submit to work. */
  readonly submitNeedsSleepable: boolean;
  readonly context: ContextLayout;
  readonly helpers: Readonly<Record<string, HelperProto>>;
  readonly kfuncs: Readonly<Record<string, KfuncProto>>;
  readonly entryPoints: Readonly<Record<EntryPointName, EntryAvailability>>;
  readonly builtins: Readonly<Record<TargetBuiltin, BuiltinAvailability>>;
  /** SQE `cq` field (completion-queue index, u16 @48) exists. */
  readonly sqeCqField: boolean;
  /** Highest io_uring opcode the target's kernel knows (inclusive). */
  readonly maxOpcode: number;
  /** The kernel version the target's patches were based on, for messages. */
  readonly kernelBase: string;
  readonly returnRule: ReturnRule;
  /** Highest cpu version the target's kernel verifier accepts, and the default --mcpu. */
  readonly maxMcpu: Mcpu;
  readonly defaultMcpu: Mcpu;
  readonly requiresBtf: boolean;
  readonly requiresGplLicense: boolean;
  /** Code generation exists for this target (checking alone works for all). */
  readonly codegenSupported: boolean;
  /** Extra constants of the target (register opcodes, IORING_OP_BPF, …). */
  readonly constants: Readonly<Record<string, number>>;
}

/** The kernel's base helpers, the same on every target (the target tables add theirs). */
export const BASE_HELPERS: Readonly<Record<string, HelperProto>> = {
  map_lookup_elem: {
    name: "map_lookup_elem",
    id: 1,
    args: ["mapPtr", "mapKey"],
    ret: "mapValueOrNull",
    sleepableOnly: false,
    gplOnly: false,
  },
  map_update_elem: {
    name: "map_update_elem",
    id: 2,
    args: ["mapPtr", "mapKey", "mapValue", "anything"],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  map_delete_elem: {
    name: "map_delete_elem",
    id: 3,
    args: ["mapPtr", "mapKey"],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  ktime_get_ns: {
    name: "ktime_get_ns",
    id: 5,
    args: [],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  trace_printk: {
    name: "trace_printk",
    id: 6,
    args: ["string", "constSize"], // the kernel declares only these two; r3–r5 are not checked
    ret: "integer",
    sleepableOnly: false,
    gplOnly: true,
    perfmonOnly: true,
  },
  get_prandom_u32: {
    name: "get_prandom_u32",
    id: 7,
    args: [],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
  ringbuf_output: {
    name: "ringbuf_output",
    id: 130,
    args: ["mapPtr", "mem", "constSizeOrZero", "anything"],
    ret: "integer",
    sleepableOnly: false,
    gplOnly: false,
  },
};
