// The linux-7.1 program type: an `io_uring_bpf_ops.loop_step` struct_ops program
// (docs/linux-7.1.md, shared/design/abi.md). What the engine needs beyond the RFC targets:
//
// - r1 is the struct_ops argument array (`u64 args[2]`, what libbpf's BPF_PROG reads):
//   `*(u64 *)(r1 + 0)` is the trusted `struct iou_ctx *`, `*(u64 *)(r1 + 8)` the
//   `struct iou_loop_params *`; nothing else of it may be read, none of it written.
// - `struct iou_ctx` is opaque to us (no loads or stores; stricter than the kernel, which
//   lets BTF reads of its fields through: we do not know its layout, so by design).
// - `struct iou_loop_params`: only the u32 `cq_wait_idx` @0, read or written with exactly 4
//   bytes (no atomics).
// - kfuncs, called by the name of the extern their call is relocated against:
//   `bpf_io_uring_get_region(ctx, id, size)` with a verifier-known constant size returns
//   memory of that size or NULL; `bpf_io_uring_submit_sqes(ctx, nr)` returns a scalar and is
//   allowed only in sleepable programs. `ctx` must be the unmodified iou_ctx pointer.
//
// The pointers are modelled with the engine's map-value types over synthetic MapInfo
// entries (one per iou_ctx / iou_loop_params / region of a given id and size), so NULL
// checks, bounds, pointer arithmetic and state pruning need no new register kinds.
import type { ObjFile } from "../elf/types.js";
import { VerifierCodes } from "./codes.js";
import type { Reg } from "./engine.js";
import type { Insn, LinkedProgram, MapInfo, ObjIndex } from "./program.js";
import type { ProgramRules } from "./rules.js";
import * as S from "./scalar.js";
import { GEOMETRY_NAMES } from "../targets/linux-7.1/plumbing.js";

/** What the engine lends the hooks. */
export interface StructOpsHost {
  p: LinkedProgram;
  rules: ProgramRules;
  fail(code: string, message: string, hint?: string): never;
  reg(r: number): Reg;
  setReg(r: number, v: Reg): void;
  newId(): number;
  isPtr(r: Reg): boolean;
  regText(r: Reg): string;
  /** An 8-byte store / load at a stack pointer (the engine's spill rules). */
  stackStore(ptr: { frame: number; off: number }, v: Reg): void;
  stackLoad(ptr: { frame: number; off: number }): Reg | undefined;
}

export type SyntheticKind = "ioRingCtx" | "loopParams" | "region";

/** The synthetic map of a struct_ops pointer, or undefined for a real map. */
export function syntheticOf(m: MapInfo): SyntheticKind | undefined {
  return (m as MapInfo & { synthetic?: SyntheticKind }).synthetic;
}

const REGION_NAMES: Record<number, string> = { 0: "MEM", 1: "CQ", 2: "SQ" };

function syntheticMap(
  p: LinkedProgram,
  kind: SyntheticKind,
  name: string,
  size: number,
  writable: boolean,
): number {
  const i = p.maps.findIndex(
    (m) => syntheticOf(m) === kind && m.name === name && m.valueSize === size,
  );
  if (i >= 0) return i;
  const m: MapInfo & { synthetic: SyntheticKind } = {
    name,
    type: 2,
    keySize: 4,
    valueSize: size,
    maxEntries: 1,
    readOnly: !writable,
    frozen: false,
    synthetic: kind,
  };
  p.maps.push(m);
  return p.maps.length - 1;
}

const ptrTo = (map: number): Reg => ({ t: "value", map, off: 0, v: S.constant(0) });

/** A load or store through r1 (the argument array). */
export function argsAccess(
  h: StructOpsHost,
  ptrOff: number,
  off: number,
  size: number,
  write: boolean,
  opts: { atomic?: boolean },
): Reg | undefined {
  const at = ptrOff + off;
  if (write || opts.atomic)
    h.fail(
      VerifierCodes.ctxBadAccess,
      `invalid bpf_context access: the struct_ops arguments (r1) are read-only (${size} bytes at offset ${at})`,
      "read the arguments with r6 = *(u64 *)(r1 + 0) (ctx) and r7 = *(u64 *)(r1 + 8) (lp)",
    );
  if (size !== 8 || (at !== 0 && at !== 8))
    h.fail(
      VerifierCodes.ctxBadAccess,
      `invalid bpf_context access: ${size} bytes at offset ${at} (loop_step has two u64 arguments: ctx @0, lp @8)`,
    );
  if (at === 0) return ptrTo(syntheticMap(h.p, "ioRingCtx", "struct iou_ctx", 0, false));
  return ptrTo(syntheticMap(h.p, "loopParams", "struct iou_loop_params", 4, true));
}

/**
 * An access through a value pointer of a synthetic map: ctx and lp have their own rules
 * (returns the loaded register, or undefined for a store); a region is ordinary memory
 * ("normal": the engine's map-value path checks it).
 */
export function syntheticAccess(
  h: StructOpsHost,
  m: MapInfo,
  ptr: { off: number; v: S.Scalar },
  off: number,
  size: number,
  write: boolean,
  value: Reg | undefined,
  opts: { atomic?: boolean },
): Reg | undefined | "normal" {
  const kind = syntheticOf(m);
  if (kind === "region" || kind === undefined) return "normal";
  if (kind === "ioRingCtx")
    h.fail(
      VerifierCodes.ctxOpaque,
      `struct iou_ctx is opaque: it cannot be ${write ? "written" : "read"}, only passed to the io_uring kfuncs`,
    );
  if (!S.isConst(ptr.v))
    h.fail(
      VerifierCodes.ctxBadAccess,
      "variable offset into struct iou_loop_params: only cq_wait_idx (u32 @0) may be accessed",
    );
  const at = ptr.off + off + Number(BigInt.asIntN(64, ptr.v.v));
  if (at !== 0 || size !== 4)
    h.fail(
      VerifierCodes.ctxBadAccess,
      `invalid access to struct iou_loop_params: ${size} bytes at offset ${at} (only cq_wait_idx, u32 @0)`,
    );
  if (opts.atomic)
    h.fail(
      VerifierCodes.ctxBadAccess,
      "atomic operations on struct iou_loop_params are not allowed",
    );
  if (write && value && h.isPtr(value))
    h.fail(
      VerifierCodes.pointerLeak,
      `a pointer (${h.regText(value)}) is stored into cq_wait_idx (leaks an address)`,
    );
  return write ? undefined : { t: "scalar", s: S.unknownBytes(4) };
}

const KFUNC_NAMES = ["bpf_io_uring_get_region", "bpf_io_uring_submit_sqes"];

/** The open-coded numeric iterator kfuncs (every program type since 6.4). */
export const ITER_KFUNCS = ["bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy"];

/**
 * bpf_iter_num_*: the iterator is 8 bytes of the program's stack (r1). Its slot holds the
 * iteration depth as a spilled constant (new: 0, next: +1), so loop states of different
 * iterations differ (no false "infinite loop"); at the next() call the engine prunes a state
 * an in-progress ancestor covers when the slot is ignored (iterConverged), which is how the
 * kernel verifies these loops. next() returns a 4-byte readable pointer (&cur) or NULL.
 */
function iterCall(h: StructOpsHost, name: string): void {
  const it = h.reg(1);
  if (it.t !== "stack")
    h.fail(
      VerifierCodes.helperArg,
      `${name} argument 1: r1 must point to the iterator on the stack, but holds ${h.regText(it)}`,
    );
  const ptr = it as { frame: number; off: number };
  if ((ptr.off & 7) !== 0)
    h.fail(
      VerifierCodes.misalignedStack,
      `${name}: the iterator at fp${ptr.off} is not 8-byte aligned`,
    );
  let ret: Reg = { t: "none" };
  if (name === "bpf_iter_num_new") {
    for (const r of [2, 3]) {
      const v = h.reg(r);
      if (v.t === "none")
        h.fail(VerifierCodes.uninitRegister, `${name} argument ${r}: r${r} is not initialised`);
      if (h.isPtr(v))
        h.fail(VerifierCodes.pointerLeak, `${name} argument ${r}: r${r} holds a pointer`);
    }
    h.stackStore(ptr, { t: "scalar", s: S.constant(0) });
    ret = { t: "scalar", s: S.signExtend(S.unknownBytes(4), 32) };
  } else {
    const cur = h.stackLoad(ptr);
    if (cur?.t !== "scalar" || !S.isConst(cur.s))
      h.fail(
        VerifierCodes.helperArg,
        `${name}: fp${ptr.off} is not an iterator made by bpf_iter_num_new`,
      );
    if (name === "bpf_iter_num_next") {
      h.stackStore(ptr, { t: "scalar", s: S.constant((cur as { s: S.Scalar }).s.v + 1n) });
      const map = syntheticMap(h.p, "region", "bpf_iter_num (&cur)", 4, false);
      ret = { t: "valueOrNull", map, id: h.newId() };
    } else h.stackStore(ptr, { t: "scalar", s: S.unknown() });
  }
  for (let i = 1; i <= 5; i++) h.setReg(i, { t: "none" });
  h.setReg(0, ret);
}

/** A kfunc call (insn.kfunc names the extern). */
export function kfuncCall(h: StructOpsHost, insn: Insn & { kfunc?: string }): void {
  const name = insn.kfunc;
  if (name && ITER_KFUNCS.includes(name)) return iterCall(h, name);
  const proto = name ? h.rules.target.kfuncs[name] : undefined;
  if (!name || !proto)
    h.fail(
      VerifierCodes.kfuncUnsupported,
      name
        ? `kfunc '${name}' is not available to ${h.rules.target.name} programs (known: ${Object.keys(h.rules.target.kfuncs).join(", ") || "none"})`
        : `a kfunc call whose function is unknown (no relocation names it)`,
    );
  if (proto.sleepableOnly && !h.rules.sleepable)
    h.fail(
      VerifierCodes.sleepableOnly,
      `${name} may only be called from sleepable programs`,
      h.rules.target.sections.sleepable
        ? `put the program in a '${h.rules.target.sections.sleepable}…' section`
        : undefined,
    );
  const ctx = h.reg(1);
  const ctxMap = ctx.t === "value" ? h.p.maps[ctx.map] : undefined;
  if (ctx.t === "none")
    h.fail(VerifierCodes.uninitRegister, `${name} argument 1 (ctx): r1 is not initialised`);
  if (!ctxMap || syntheticOf(ctxMap) !== "ioRingCtx")
    h.fail(
      VerifierCodes.helperArg,
      `${name} argument 1 (ctx): r1 must be the iou_ctx argument (*(u64 *)(args + 0)), but holds ${h.regText(ctx)}`,
    );
  const c = ctx as { off: number; v: S.Scalar };
  if (c.off !== 0 || !S.isConst(c.v) || c.v.v !== 0n)
    h.fail(
      VerifierCodes.ctxModified,
      `${name} argument 1 (ctx): the iou_ctx pointer is modified (a trusted argument must have offset 0)`,
    );
  for (let regno = 2; regno <= proto.args.length; regno++) {
    const r = h.reg(regno);
    if (r.t === "none")
      h.fail(
        VerifierCodes.uninitRegister,
        `${name} argument ${regno}: r${regno} is not initialised`,
      );
    if (h.isPtr(r))
      h.fail(
        VerifierCodes.pointerLeak,
        `${name} argument ${regno}: r${regno} holds a pointer (${h.regText(r)}), a scalar is expected`,
      );
  }
  let ret: Reg = { t: "scalar", s: S.unknownBytes(4) };
  if (name === "bpf_io_uring_submit_sqes")
    ret = { t: "scalar", s: S.signExtend(S.unknownBytes(4), 32) };
  if (name === "bpf_io_uring_get_region") {
    const id = (h.reg(2) as { s: S.Scalar }).s;
    const size = (h.reg(3) as { s: S.Scalar }).s;
    if (!S.isConst(size))
      h.fail(
        VerifierCodes.helperSize,
        `bpf_io_uring_get_region argument 3 (size): the size must be a verifier-known constant, but r3 is ${S.show(size)}`,
        "compute it from constants and .rodata globals the loader sets (iou_cqes_off, iou_cq_entries, iou_sq_entries)",
      );
    const n = size.v;
    if (n === 0n || n > 0xffffffffn)
      h.fail(
        VerifierCodes.helperSize,
        `bpf_io_uring_get_region argument 3 (size): ${n === 0n ? "the size is zero" : `the size ${n} is too large`}`,
      );
    const idName = S.isConst(id) ? (REGION_NAMES[Number(id.v)] ?? `region ${id.v}`) : "region ?";
    const map = syntheticMap(h.p, "region", `${idName} region (${n} bytes)`, Number(n), true);
    ret = { t: "valueOrNull", map, id: h.newId() };
  }
  for (let i = 1; i <= 5; i++) h.setReg(i, { t: "none" });
  h.setReg(0, ret);
}

export { KFUNC_NAMES };

/** cq_wait_idx and friends are known to the kernel's verifier through frozen .rodata. */
export { GEOMETRY_NAMES };

/**
 * The geometry the verifier assumes (what io_uring_setup reports with NO_SQARRAY for 16 SQ
 * and 64 CQ entries: cq_off.head 8, tail 12, cqes 64; shared/design/kernel-vm.md). The
 * kernel sees the loader's real values; override with VerifyOptions.rodata.
 */
export const DEFAULT_GEOMETRY_RODATA: Readonly<Record<string, bigint>> = {
  iou_cq_head_off: 8n,
  iou_cq_tail_off: 12n,
  iou_cqes_off: 64n,
  iou_cq_entries: 64n,
  iou_sq_entries: 16n,
};

/**
 * Sets the `.rodata` the verifier sees for a linux-7.1 program: geometry globals (and any
 * `overrides`) become known constants, every other `.rodata` variable (a `declare const` the
 * loader sets) unknown bytes.
 */
export function prepareRodata(
  obj: ObjFile,
  p: LinkedProgram,
  overrides: Readonly<Record<string, bigint | number>> = {},
  index?: ObjIndex,
): void {
  // the object's symbols by section, built once per object when the caller shares an index
  const ix = index?.obj === obj ? index : undefined;
  for (const m of p.maps) {
    if (!m.name.startsWith(".rodata") || !m.data) continue;
    const data = new Uint8Array(m.data);
    const unknown = new Uint8Array(data.length);
    for (const sym of ix ? ix.symbolsIn(m.name) : obj.symbols) {
      if (sym.section !== m.name || sym.size <= 0) continue;
      const given =
        overrides[sym.name] ??
        (sym.name in DEFAULT_GEOMETRY_RODATA ? DEFAULT_GEOMETRY_RODATA[sym.name] : undefined);
      if (given === undefined) {
        unknown.fill(1, sym.value, Math.min(data.length, sym.value + sym.size));
        continue;
      }
      let v = BigInt.asUintN(64, BigInt(given));
      for (let i = 0; i < sym.size && sym.value + i < data.length; i++) {
        data[sym.value + i] = Number(v & 0xffn);
        v >>= 8n;
      }
    }
    m.data = data;
    (m as MapInfo & { unknownBytes?: Uint8Array }).unknownBytes = unknown;
  }
}

/** Whether [at, at+size) of a frozen map holds only known bytes. */
export function rodataKnown(m: MapInfo, at: number, size: number): boolean {
  const u = (m as MapInfo & { unknownBytes?: Uint8Array }).unknownBytes;
  if (!u) return true;
  for (let i = at; i < at + size; i++) if (u[i]) return false;
  return true;
}
