// The linux-7.1 step model (docs/linux-7.1.md, interface 3 of this session): an object's
// `loop_step` program run one step at a time over a caller's ring. The ring's CQ and SQ
// regions are the caller's Uint8Arrays, mapped into the VM without copying, so the program's
// stores (the CQ head) and the caller's (the tail, new CQEs) meet in the same bytes. Kfunc
// calls are dispatched by the name of the extern symbol their call is relocated against.
import type { Diagnostic } from "../diagnostics/index.js";
import { decodeBtf, type BtfType } from "../elf/btf.js";
import { readElf } from "../elf/reader.js";
import type { ObjFile } from "../elf/types.js";
import { getTarget } from "../targets/targets.js";
import { VmCodes } from "./codes.js";
import { setGlobals } from "./globals.js";
import { type HelperEvent, makeHelpers } from "./helpers.js";
import { type HelperFn, type Interpreter, VmFault } from "./interpreter.js";
import { findProgram, loadObject, type LoadedObject, type ProgramInfo } from "./loader.js";
import { Errno, MapType, type MapDef } from "./maps.js";
import type { Region } from "./memory.js";
import { UserMemory } from "./ring.js";
import {
  EMIT_MAP as EMIT_MAP_NAME,
  EMIT_MAP_BYTES,
  GEOMETRY_NAMES,
} from "../targets/linux-7.1/plumbing.js";

export interface Ring71 {
  /** The CQ region (ring header + CQE array; what bpf_io_uring_get_region(ctx, 1, size) returns). */
  readonly cq: Uint8Array;
  /** The SQ region (the SQE array; region 2). */
  readonly sq: Uint8Array;
  /** bpf_io_uring_submit_sqes(ctx, nr): submit SQEs 0..nr-1 of the SQ region (SQ_REWIND); count or -errno. */
  submit(nr: number): number;
}

export interface Step71Result {
  ret: number;
  cqWaitIdx: number;
  insns: number;
}

export interface Stepper71 {
  /** Runs loop_step once (a fault throws a Fault71: a VmFault carrying its diagnostic). */
  step(): Step71Result;
  /** .bss/.data/.rodata values by name. */
  globals(): Record<string, bigint | number>;
  /** Records drained from iou_emit. */
  emits(): { userData: bigint; res: number; flags: number }[];
}

/** What the simulated ring (simulate71.ts) needs beyond interface 3. */
export interface Stepper71Details extends Stepper71 {
  readonly program: ProgramInfo;
  readonly loaded: LoadedObject;
  /** Helper and kfunc events of the runs since the last call (trace lines). */
  drainEvents(): (HelperEvent | Kfunc71Event)[];
}

export type Kfunc71Event =
  | { type: "get_region"; region: number; size: number; ret: "NULL" | "ok" }
  | { type: "submit_sqes"; nr: number; ret: number };

export interface Stepper71Options {
  program?: string;
  ring: Ring71;
  rodata: Record<string, bigint | number>;
  memory?: { addr: bigint; bytes: Uint8Array }[];
  /** Instructions one step may execute (default 1,000,000). */
  maxInsns?: number;
  /** Map definitions that override the object's by name (scenario `maps`). */
  maps?: MapDef[];
  /** File name for diagnostics. */
  file?: string;
  /** bpf_ktime_get_ns's clock (default: deterministic, 1 s + 1 µs per call); the runtime passes the real one. */
  clock?: { now: bigint; step: bigint };
}

/** A fault (or the instruction limit) in a step: a VmFault with its diagnostic. */
export class Fault71 extends VmFault {
  constructor(
    pc: number,
    message: string,
    kind: "fault" | "limit",
    readonly diagnostic: Diagnostic,
  ) {
    super(pc, message, kind);
  }
}

/** Region ids of bpf_io_uring_get_region (abi.md). */
export const REGION71 = { MEM: 0, CQ: 1, SQ: 2 } as const;

/** The `.rodata` names a loader fills from io_uring_params (docs/linux-7.1.md). */
export const GEOMETRY_GLOBALS = GEOMETRY_NAMES;

/**
 * Ring geometry: the CQ header offsets io_uring_setup reports in `cq_off` (with
 * NO_SQARRAY the SQ and CQ heads/tails share one ring header: sq head 0, sq tail 4,
 * cq head 8, cq tail 12, …, CQEs at 64; shared/design/kernel-vm.md), and the entry counts
 * (our loaders' defaults 16 and 64).
 */
export interface Geometry71 {
  cqHeadOff: number;
  cqTailOff: number;
  cqesOff: number;
  cqEntries: number;
  sqEntries: number;
}

export const DEFAULT_GEOMETRY71: Geometry71 = {
  cqHeadOff: 8,
  cqTailOff: 12,
  cqesOff: 64,
  cqEntries: 64,
  sqEntries: 16,
};

/** The `.rodata` values a loader sets for a geometry. */
export function geometryRodata(g: Geometry71): Record<string, number> {
  return {
    iou_cq_head_off: g.cqHeadOff,
    iou_cq_tail_off: g.cqTailOff,
    iou_cqes_off: g.cqesOff,
    iou_cq_entries: g.cqEntries,
    iou_sq_entries: g.sqEntries,
  };
}

/** The size of region 1 (header + CQE array) and region 2 (the SQE array). */
export function regionSizes(g: Geometry71): { cq: number; sq: number } {
  return { cq: g.cqesOff + g.cqEntries * 16, sq: g.sqEntries * 64 };
}

/** Name of the ring buffer map `emit` writes (docs/linux-7.1.md). */
export const EMIT_MAP = EMIT_MAP_NAME;
const EMIT_RINGBUF_BYTES = EMIT_MAP_BYTES;

function diag(code: string, message: string, file?: string): Diagnostic {
  return { code, severity: "error", message, ...(file ? { file } : {}) };
}

/** Signedness of each global from its BTF VAR (integers only); unknown means unsigned. */
function signedGlobals(obj: ObjFile): Set<string> {
  const out = new Set<string>();
  const btf = obj.sections.find((s) => s.name === ".BTF");
  if (!btf) return out;
  const strip = (t: BtfType): BtfType => {
    for (let i = 0; i < 16; i++) {
      if (t.kind === "typedef" || t.kind === "const" || t.kind === "volatile") t = t.type;
      else break;
    }
    return t;
  };
  for (const t of decodeBtf(btf.data).types) {
    if (t.kind !== "var") continue;
    const s = strip(t.type);
    if (s.kind === "int" && (s.encoding & 1) !== 0) out.add(t.name);
  }
  return out;
}

export function createStepper71(
  obj: Uint8Array,
  opts: Stepper71Options,
): Stepper71Details | { diagnostics: Diagnostic[] } {
  const file = opts.file;
  const read = readElf(obj, file ?? "object");
  if (!read.object) return { diagnostics: read.diagnostics };
  return createStepper71FromObject(read.object, opts);
}

/** createStepper71 over an already-read object (the simulator reads the ELF once). */
export function createStepper71FromObject(
  object: ObjFile,
  opts: Stepper71Options,
): Stepper71Details | { diagnostics: Diagnostic[] } {
  const file = opts.file;
  const target = getTarget("linux-7.1");

  // .rodata (and any other global) values: geometry names the object does not declare are
  // skipped (a program declares only those it uses); any other unknown name is an error.
  const values: { name: string; value: bigint }[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [name, v] of Object.entries(opts.rodata)) {
    const known = object.symbols.some((s) => s.name === name && s.section !== undefined);
    if (!known) {
      if ((GEOMETRY_GLOBALS as readonly string[]).includes(name)) continue;
      diagnostics.push(
        diag(VmCodes.badScenario, `rodata.${name}: the object has no such symbol`, file),
      );
      continue;
    }
    values.push({ name, value: BigInt(v) });
  }
  if (diagnostics.length) return { diagnostics };
  const set = setGlobals(object, values);
  if ("error" in set) return { diagnostics: [diag(VmCodes.badScenario, set.error, file)] };
  const obj = set.object;

  // iou_emit without a BTF definition (hand-built objects) is the contract's 64 KiB ringbuf.
  const maps: MapDef[] = [...(opts.maps ?? [])];
  const emitSym = obj.symbols.find((s) => s.name === EMIT_MAP && s.section === ".maps");
  const hasBtf = obj.sections.some((s) => s.name === ".BTF");
  if (emitSym && !hasBtf && !maps.some((m) => m.name === EMIT_MAP))
    maps.push({
      name: EMIT_MAP,
      type: MapType.RINGBUF,
      keySize: 0,
      valueSize: 0,
      maxEntries: EMIT_RINGBUF_BYTES,
      flags: 0,
    });
  const { loaded, diagnostics: loadDiags } = loadObject(obj, {
    maps,
    maxInsns: opts.maxInsns ?? 1_000_000,
    ...(file ? { file } : {}),
  });
  if (!loaded) return { diagnostics: loadDiags };
  const L = loaded;
  const program = findProgram(L, opts.program);
  if (!program)
    return {
      diagnostics: [
        diag(
          VmCodes.noProgram,
          `no program named ${opts.program} (the object has: ${L.programs.map((p) => p.name).join(", ")})`,
          file,
        ),
      ],
    };

  const mem = L.vm.mem;
  const ring = opts.ring;
  // struct iou_ctx is opaque to the program (a trusted pointer it may only pass on).
  const ctx = mem.add("ctx (struct iou_ctx)", 0, { readable: false, writable: false });
  const lp = mem.add("lp (struct iou_loop_params)", 4);
  const ctxAddr = mem.addressOf(ctx);
  const lpAddr = mem.addressOf(lp);
  // A struct_ops program gets its arguments as an array of u64 in r1 (what libbpf's BPF_PROG
  // reads): args[0] = ctx, args[1] = lp. The kernel lets the program only read it.
  const args = mem.add("struct_ops args (u64[2])", 16, { writable: false });
  args.view.setBigUint64(0, ctxAddr, true);
  args.view.setBigUint64(8, lpAddr, true);
  const argsAddr = mem.addressOf(args);
  // One region per (id, size) asked for: exactly `size` bytes of the ring's array, shared.
  const regionCache = new Map<string, Region>();
  const regionFor = (id: number, size: number): Region | undefined => {
    const bytes = id === REGION71.CQ ? ring.cq : id === REGION71.SQ ? ring.sq : undefined;
    if (!bytes || size <= 0 || size > bytes.length) return undefined;
    const key = `${id}:${size}`;
    let r = regionCache.get(key);
    if (!r) {
      r = mem.addShared(id === REGION71.CQ ? "CQ region" : "SQ region", bytes.subarray(0, size));
      regionCache.set(key, r);
    }
    return r;
  };

  const events: (HelperEvent | Kfunc71Event)[] = [];
  const user = new UserMemory();
  for (const m of opts.memory ?? []) user.map(m.addr, m.bytes);
  const env = {
    target,
    mem,
    mapList: L.mapList,
    cqs: [],
    user,
    ctx: () => ctx,
    clock: opts.clock ?? { now: 1_000_000_000n, step: 1000n },
    rng: { state: 1 },
    queueSqe: () => -Errno.EINVAL,
    event: (e: HelperEvent) => events.push(e),
  };
  L.vm.setHelpers(makeHelpers(env));

  const checkCtx = (vm: Interpreter, pc: number, name: string): void => {
    if (vm.reg(1) !== ctxAddr)
      throw new VmFault(
        pc,
        `kfunc ${name}: r1 (0x${vm.reg(1).toString(16)}) is not the ctx argument`,
      );
  };
  const kfuncImpl: Record<string, HelperFn> = {
    bpf_io_uring_get_region(vm, pc) {
      checkCtx(vm, pc, "bpf_io_uring_get_region");
      const id = Number(vm.reg(2) & 0xffffffffn);
      const size = Number(BigInt.asUintN(64, vm.reg(3)) > 0xffffffffn ? -1n : vm.reg(3));
      const r = regionFor(id, size);
      events.push({ type: "get_region", region: id, size, ret: r ? "ok" : "NULL" });
      return r ? mem.addressOf(r) : 0n;
    },
    bpf_io_uring_submit_sqes(vm, pc) {
      checkCtx(vm, pc, "bpf_io_uring_submit_sqes");
      const nr = Number(vm.reg(2) & 0xffffffffn);
      const ret = ring.submit(nr);
      events.push({ type: "submit_sqes", nr, ret });
      return ret;
    },
  };
  // The open-coded numeric iterator (kfuncs of every program type since 6.4) that the
  // generated plumbing bounds its CQ walk with: struct bpf_iter_num is { int cur; int end; }
  // in the caller's memory (its stack); next() returns &cur, or NULL once cur + 1 >= end.
  const iterState = (vm: Interpreter, pc: number, name: string) => {
    const at = mem.resolve(vm.reg(1), 8, true);
    if (typeof at === "string") throw new VmFault(pc, `kfunc ${name}: iterator: ${at}`);
    return { view: at.region.view, off: at.offset, addr: vm.reg(1) };
  };
  kfuncImpl.bpf_iter_num_new = (vm, pc) => {
    const it = iterState(vm, pc, "bpf_iter_num_new");
    const start = Number(BigInt.asIntN(32, vm.reg(2)));
    const end = Number(BigInt.asIntN(32, vm.reg(3)));
    let ret = 0;
    let cur = start - 1;
    let e = end;
    // The kernel's checks: start <= end, at most BPF_MAX_LOOPS (8M) iterations.
    if (start > end) ret = -Errno.EINVAL;
    else if (end - start > 8 * 1024 * 1024) ret = -Errno.E2BIG;
    if (ret < 0) cur = e = 0;
    it.view.setInt32(it.off, cur, true);
    it.view.setInt32(it.off + 4, e, true);
    return ret;
  };
  kfuncImpl.bpf_iter_num_next = (vm, pc) => {
    const it = iterState(vm, pc, "bpf_iter_num_next");
    const cur = it.view.getInt32(it.off, true);
    const end = it.view.getInt32(it.off + 4, true);
    if (cur + 1 >= end) {
      it.view.setInt32(it.off, 0, true);
      it.view.setInt32(it.off + 4, 0, true);
      return 0n;
    }
    it.view.setInt32(it.off, cur + 1, true);
    return it.addr;
  };
  kfuncImpl.bpf_iter_num_destroy = (vm, pc) => {
    const it = iterState(vm, pc, "bpf_iter_num_destroy");
    it.view.setInt32(it.off, 0, true);
    it.view.setInt32(it.off + 4, 0, true);
    return 0;
  };
  const kfuncs = new Map<number, HelperFn>();
  const unknown: string[] = [];
  for (const [slot, name] of L.kfuncCalls) {
    const fn = kfuncImpl[name];
    if (fn) kfuncs.set(slot, fn);
    else if (!unknown.includes(name)) unknown.push(name);
  }
  if (unknown.length)
    return {
      diagnostics: [
        diag(
          VmCodes.badObject,
          `calls kfunc${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}, which the VM does not provide (it has ${Object.keys(kfuncImpl).join(", ")})`,
          file,
        ),
      ],
    };
  L.vm.setKfuncs(kfuncs);

  // Globals: every sized symbol of a data section, read live from its region.
  const signed = signedGlobals(obj);
  const globalSyms = obj.symbols.filter(
    (s) => s.section !== undefined && L.data.has(s.section) && [1, 2, 4, 8].includes(s.size),
  );
  const emitMap = L.maps.get(EMIT_MAP);
  let drained = 0;

  return {
    program,
    loaded: L,
    step(): Step71Result {
      const res = L.vm.run(program.slot, [argsAddr]);
      if (res.fault) {
        const where = L.locate(res.fault.pc);
        const pc = where?.index ?? res.fault.pc;
        const inSection = where && where.section !== program.section ? ` in ${where.section}` : "";
        const limit = res.fault.kind === "limit";
        const message = `${program.name}: ${limit ? "" : "fault "}at pc ${pc}${inSection}: ${res.fault.message}`;
        throw new Fault71(
          pc,
          res.fault.message,
          res.fault.kind,
          diag(limit ? VmCodes.insnLimit : VmCodes.fault, message, file),
        );
      }
      return {
        ret: Number(BigInt.asIntN(32, res.r0)),
        cqWaitIdx: lp.view.getUint32(0, true),
        insns: res.insns,
      };
    },
    globals() {
      const out: Record<string, bigint | number> = {};
      for (const s of globalSyms) {
        const r = L.data.get(s.section!)!;
        if (s.value + s.size > r.bytes.length) continue;
        const v = r.view;
        const sg = signed.has(s.name);
        out[s.name] =
          s.size === 8
            ? sg
              ? v.getBigInt64(s.value, true)
              : v.getBigUint64(s.value, true)
            : s.size === 4
              ? sg
                ? v.getInt32(s.value, true)
                : v.getUint32(s.value, true)
              : s.size === 2
                ? sg
                  ? v.getInt16(s.value, true)
                  : v.getUint16(s.value, true)
                : sg
                  ? v.getInt8(s.value)
                  : v.getUint8(s.value);
      }
      return out;
    },
    emits() {
      if (!emitMap) return [];
      const out: { userData: bigint; res: number; flags: number }[] = [];
      const recs = emitMap.records;
      for (; drained < recs.length; drained++) {
        const d = recs[drained]!.data;
        if (d.length < 16) continue; // not a CQE-shaped record
        const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
        out.push({
          userData: v.getBigUint64(0, true),
          res: v.getInt32(8, true),
          flags: v.getUint32(12, true),
        });
      }
      // Draining frees the ring buffer space, as a consumer would.
      emitMap.ringUsed = 0;
      return out;
    },
    drainEvents() {
      return events.splice(0);
    },
  };
}
