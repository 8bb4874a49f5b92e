// Native mode: the object loaded into a kernel that has io_uring_bpf_ops, per the loader
// contract (docs/linux-7.1.md): BTF, global-data and ring-buffer maps, kfunc and map
// relocations, the struct_ops program, the struct_ops map and its link, one blocking
// io_uring_enter bounded by a timer, then the globals and the `iou_emit` records.
import { BtfStrings, marshalBtf, type BtfDatasec, type BtfType } from "../elf/btf.js";
import {
  BPF_F_LINK,
  BPF_F_RDONLY_PROG,
  BPF_F_SLEEPABLE,
  BpfAttachType,
  BpfMapType,
  BpfProgType,
  btfLoad,
  closeFd,
  errnoName,
  linkCreate,
  mapCreateRaw,
  mapFreezeRaw,
  mapLookup,
  mapUpdateRaw,
  progLoad,
} from "../kernel/bpf.js";
import { RuntimeCodes } from "./codes.js";
import { EMIT_MAP } from "../targets/linux-7.1/plumbing.js";
import type { KernelBtf, StructOpsInfo } from "./kernel-btf.js";
import { readVar, resultVars, writeVar, type OpenedObject, type Program } from "./object.js";
import type { Ring } from "./ring.js";
import {
  armAlarm,
  ioUringEnter,
  mmap,
  munmap,
  MAP_SHARED,
  pageSize,
  PROT_READ,
  PROT_WRITE,
} from "./sys.js";
import { ENTER } from "./ring.js";
import type { EmitRecord, RunFailure } from "./types.js";

export interface NativeOutcome {
  stop: "stopped" | "timeout" | "error";
  ret: number;
  emits: EmitRecord[];
  globals: Record<string, bigint>;
  processed?: number;
  verifierLog: string;
  failure?: RunFailure;
}

const fail = (code: string, message: string, log = ""): NativeOutcome => ({
  stop: "error",
  ret: -1,
  emits: [],
  globals: {},
  verifierLog: log,
  failure: { code, message },
});

/** The object's BTF, made loadable: DATASEC sizes/offsets filled, `.ksyms` and extern FUNCs dropped. */
function loadableBtf(o: OpenedObject):
  | {
      bytes: Uint8Array;
      idOf: (t: BtfType) => number | undefined;
      oldToNew: (id: number) => number | undefined;
      strings: BtfStrings;
      datasecs: Map<string, BtfDatasec>;
    }
  | undefined {
  if (!o.btf) return undefined;
  const replaced = new Map<BtfType, BtfType>();
  const datasecs = new Map<string, BtfDatasec>();
  const roots: BtfType[] = [];
  for (const t of o.btf.types.slice(1)) {
    if (t.kind === "datasec") {
      if (t.name === ".ksyms" || t.vars.some((v) => v.type.kind === "func")) continue;
      const sec = o.elf.sections.find((s) => s.name === t.name);
      const size = sec ? (sec.size ?? sec.data.length) : t.size;
      const vars = t.vars
        .map((v) => {
          const sym = o.elf.symbols.find((s) => s.section === t.name && s.name === v.type.name);
          return { ...v, offset: sym ? sym.value : v.offset };
        })
        .sort((a, b) => a.offset - b.offset);
      const fixed: BtfDatasec = { ...t, size, vars };
      replaced.set(t, fixed);
      datasecs.set(t.name, fixed);
      roots.push(fixed);
      continue;
    }
    if (t.kind === "func" && t.linkage === 2) continue;
    if (t.kind === "var" && t.linkage === 2) continue;
    roots.push(t);
  }
  const strings = new BtfStrings();
  for (const l of o.ext?.lineInfo ?? [])
    for (const r of l.records) {
      strings.add(r.fileName ?? "");
      strings.add(r.lineText ?? "");
    }
  const m = marshalBtf(roots, strings);
  const idOf = (t: BtfType): number | undefined => m.ids.get(replaced.get(t) ?? t);
  return {
    bytes: m.bytes,
    idOf,
    oldToNew: (id) => {
      const t = o.btf!.types[id];
      return t ? idOf(t) : undefined;
    },
    strings,
    datasecs,
  };
}

function extInfo(
  o: OpenedObject,
  p: Program,
  lb: NonNullable<ReturnType<typeof loadableBtf>>,
): { funcInfo?: Uint8Array; lineInfo?: Uint8Array } {
  const out: { funcInfo?: Uint8Array; lineInfo?: Uint8Array } = {};
  const fi = o.ext?.funcInfo.find((s) => s.section === p.section);
  if (fi && fi.records.length) {
    const b = Buffer.alloc(fi.records.length * 8);
    let ok = true;
    fi.records.forEach((r, i) => {
      const id = lb.oldToNew(r.typeId);
      if (id === undefined) ok = false;
      b.writeUInt32LE(r.insnOff / 8, i * 8);
      b.writeUInt32LE(id ?? 0, i * 8 + 4);
    });
    if (ok) out.funcInfo = b;
  }
  const li = o.ext?.lineInfo.find((s) => s.section === p.section);
  if (out.funcInfo && li && li.records.length) {
    const b = Buffer.alloc(li.records.length * 16);
    li.records.forEach((r, i) => {
      b.writeUInt32LE(r.insnOff / 8, i * 16);
      b.writeUInt32LE(lb.strings.add(r.fileName ?? ""), i * 16 + 4);
      b.writeUInt32LE(lb.strings.add(r.lineText ?? ""), i * 16 + 8);
      b.writeUInt32LE(((r.line & 0x3fffff) << 10) | (r.col & 0x3ff), i * 16 + 12);
    });
    out.lineInfo = b;
  }
  return out;
}

export interface NativeInput {
  object: OpenedObject;
  program: Program;
  structOps: string;
  kernel: KernelBtf;
  info: StructOpsInfo;
  ring: Ring;
  /** .rodata values by name (geometry + user values). */
  rodata: Map<string, bigint>;
  timeoutMs: number;
}

/** IOUBPF_RUNTIME_DEBUG=1 prints each phase on stderr (for debugging a loader on a new kernel). */
const debug = (msg: string): void => {
  if (process.env.IOUBPF_RUNTIME_DEBUG) process.stderr.write(`[runtime] ${msg}\n`);
};

export function runNative(inp: NativeInput): NativeOutcome {
  const { object: o, program: p, kernel, info, ring } = inp;
  const fds: number[] = [];
  const own = (fd: number): number => (fds.push(fd), fd);
  const maps: ReturnType<typeof mmap>[] = [];
  try {
    // 1. BTF.
    const lb = loadableBtf(o);
    let btfFd: number | undefined;
    let btfLog = "";
    if (lb) {
      const r = btfLoad(lb.bytes);
      if (r.fd >= 0) btfFd = own(r.fd);
      else btfLog = `BTF_LOAD failed: ${errnoName(r.errno)}\n${r.log}`;
    }
    debug(`btf fd ${btfFd ?? "none"} ${btfLog.slice(0, 500)}`);
    debug(
      `struct_ops ${JSON.stringify(info, (k, v) => (k === "type" ? v.members.map((m: { name: string; bitOffset: number }) => `${m.name}@${m.bitOffset / 8}`) : v))}`,
    );
    // 2. Global-data maps.
    const mapFd = new Map<string, number>();
    for (const d of o.data) {
      if (d.size === 0) continue;
      const ds = lb?.datasecs.get(d.name);
      const valueType = ds && btfFd !== undefined ? lb!.idOf(ds) : undefined;
      const fd = mapCreateRaw({
        type: BpfMapType.ARRAY,
        keySize: 4,
        valueSize: d.size,
        maxEntries: 1,
        flags: d.readonly ? BPF_F_RDONLY_PROG : 0,
        name: d.name.replace(/^\./, "").slice(0, 15),
        ...(valueType !== undefined ? { btfFd: btfFd!, btfValueTypeId: valueType } : {}),
      });
      if (fd < 0)
        return fail(
          RuntimeCodes.loadFailed,
          `creating the '${d.name}' map failed: ${errnoName(-fd)}`,
          btfLog,
        );
      own(fd);
      mapFd.set(d.name, fd);
      const init = new Uint8Array(d.init);
      if (d.readonly)
        for (const v of d.vars) {
          const x = inp.rodata.get(v.name);
          if (x !== undefined) writeVar(init, v, x);
        }
      const u = mapUpdateRaw(fd, new Uint8Array(4), init);
      if (u < 0)
        return fail(
          RuntimeCodes.loadFailed,
          `writing the '${d.name}' map failed: ${errnoName(-u)}`,
        );
      if (d.readonly) {
        const f = mapFreezeRaw(fd);
        if (f < 0)
          return fail(RuntimeCodes.loadFailed, `freezing '${d.name}' failed: ${errnoName(-f)}`);
      }
    }
    debug(`data maps ${JSON.stringify([...mapFd])}`);
    // 3. `.maps` (the ring buffer `iou_emit`).
    const defFd = new Map<string, { fd: number; size: number }>();
    for (const m of o.maps) {
      const fd = mapCreateRaw({
        type: m.type,
        keySize: m.keySize,
        valueSize: m.valueSize,
        maxEntries: m.maxEntries,
        name: m.name,
      });
      if (fd < 0)
        return fail(RuntimeCodes.loadFailed, `creating map '${m.name}' failed: ${errnoName(-fd)}`);
      own(fd);
      defFd.set(m.name, { fd, size: m.maxEntries });
    }
    // 4. Relocations.
    const insns = new Uint8Array(p.insns);
    const dv = new DataView(insns.buffer);
    for (const r of p.relocations) {
      const at = r.offset;
      const code = insns[at];
      const sym =
        typeof r.symbol === "string" ? o.elf.symbols.find((s) => s.name === r.symbol) : undefined;
      const secName = typeof r.symbol === "string" ? sym?.section : r.symbol.section;
      // A call relocated against an undefined symbol is a kfunc call (clang leaves src_reg 1
      // there; our compiler writes 2): resolve it by name in vmlinux, src_reg 2, off 0.
      if (code === 0x85 && typeof r.symbol === "string" && !secName) {
        const id = kernel.byName("func", r.symbol);
        if (id === undefined)
          return fail(RuntimeCodes.unknownKfunc, `kfunc '${r.symbol}' is not in the kernel's BTF`);
        insns[at + 1] = (insns[at + 1]! & 0x0f) | (2 << 4);
        dv.setInt32(at + 4, id, true);
        dv.setInt16(at + 2, 0, true);
        continue;
      }
      if (code === 0x18 && secName) {
        const addend = dv.getInt32(at + 4, true) + (sym?.value ?? 0);
        const dfd = mapFd.get(secName);
        if (dfd !== undefined) {
          insns[at + 1] = (insns[at + 1]! & 0x0f) | (2 << 4); // BPF_PSEUDO_MAP_VALUE
          dv.setInt32(at + 4, dfd, true);
          dv.setInt32(at + 12, addend, true);
          continue;
        }
        if (secName === ".maps") {
          const m = o.maps.find((x) => x.offset === (sym?.value ?? addend));
          const e = m ? defFd.get(m.name) : undefined;
          if (e) {
            insns[at + 1] = (insns[at + 1]! & 0x0f) | (1 << 4); // BPF_PSEUDO_MAP_FD
            dv.setInt32(at + 4, e.fd, true);
            dv.setInt32(at + 12, 0, true);
            continue;
          }
        }
      }
      return fail(
        RuntimeCodes.badObject,
        `relocation at instruction ${at / 8} of '${p.section}' against '${typeof r.symbol === "string" ? r.symbol : r.symbol.section}' is not supported by this loader`,
      );
    }
    // 5. The program.
    const ext = lb && btfFd !== undefined ? extInfo(o, p, lb) : {};
    const sleepable = p.section.startsWith("struct_ops.s/");
    // log_level 4 (statistics only) keeps a successful load fast and still says "processed N
    // insns"; a failed load is repeated with log_level 1 for the verifier's reasons.
    const load = (withExt: boolean, logLevel = 4) =>
      progLoad({
        type: BpfProgType.STRUCT_OPS,
        insns,
        license: o.license || "GPL",
        flags: sleepable ? BPF_F_SLEEPABLE : 0,
        name: p.name,
        expectedAttachType: info.loopStepIndex,
        attachBtfId: info.typeId,
        logLevel,
        ...(btfFd !== undefined ? { btfFd } : {}),
        ...(withExt ? ext : {}),
      });
    debug(`relocated; loading ${insns.length / 8} insns`);
    let lr = load(true);
    if (lr.fd < 0 && (ext.funcInfo || ext.lineInfo) && /func_info|line_info|BTF/i.test(lr.log))
      lr = load(false);
    if (lr.fd < 0) lr = load(Boolean(ext.funcInfo), 1);
    if (lr.fd < 0)
      return fail(
        RuntimeCodes.loadFailed,
        `the kernel rejected '${p.name}': ${errnoName(lr.errno)}`,
        btfLog + lr.log,
      );
    const progFd = own(lr.fd);
    debug(`prog fd ${progFd}: ${lr.log.trim().split("\n").slice(-2).join(" | ")}`);
    const counts = [...lr.log.matchAll(/processed (\d+) insns/g)];
    const processed = counts.length ? Number(counts[counts.length - 1]![1]) : undefined;
    // 6. The struct_ops map and its link.
    const value = new Uint8Array(info.valueSize);
    const vv = new DataView(value.buffer);
    vv.setBigUint64(info.dataOffset + info.loopStepOffset, BigInt(progFd), true);
    vv.setUint32(info.dataOffset + info.ringFdOffset, ring.fd, true);
    const soFd = mapCreateRaw({
      type: BpfMapType.STRUCT_OPS,
      keySize: 4,
      valueSize: info.valueSize,
      maxEntries: 1,
      flags: BPF_F_LINK,
      name: inp.structOps,
      ...(btfFd !== undefined ? { btfFd } : {}),
      btfVmlinuxValueTypeId: info.valueTypeId,
    });
    if (soFd < 0)
      return fail(
        RuntimeCodes.attachFailed,
        `creating the struct_ops map '${inp.structOps}' failed: ${errnoName(-soFd)}`,
        lr.log,
      );
    own(soFd);
    const u = mapUpdateRaw(soFd, new Uint8Array(4), value);
    if (u < 0)
      return fail(
        RuntimeCodes.attachFailed,
        `setting the struct_ops map '${inp.structOps}' failed: ${errnoName(-u)}`,
        lr.log,
      );
    const link = linkCreate(soFd, 0, BpfAttachType.STRUCT_OPS);
    if (link < 0)
      return fail(
        RuntimeCodes.attachFailed,
        `attaching '${inp.structOps}' to the ring failed: ${errnoName(-link)}`,
        lr.log,
      );
    own(link);
    debug(`struct_ops map ${soFd}, link ${link}; entering`);
    // 7. Run: one io_uring_enter; the kernel calls loop_step until it returns STOP.
    const alarm = armAlarm(inp.timeoutMs);
    if (typeof alarm === "string")
      return fail(RuntimeCodes.runFailed, `cannot bound the run: ${alarm}`, lr.log);
    const t0 = Date.now();
    let ret: number;
    try {
      ret = ioUringEnter(ring.fd, 0, 0, ENTER.GETEVENTS);
    } finally {
      alarm.clear();
    }
    debug(`io_uring_enter returned ${ret} after ${Date.now() - t0} ms`);
    const timedOut = ret === -4 && Date.now() - t0 >= inp.timeoutMs - 5;
    // 8. Results.
    const globals: Record<string, bigint> = {};
    for (const v of resultVars(o)) {
      const fd = mapFd.get(v.section);
      if (fd === undefined) continue;
      const d = o.data.find((x) => x.name === v.section)!;
      const bytes = mapLookup(fd, new Uint8Array(4), d.size);
      if (bytes) globals[v.name] = readVar(bytes, v);
    }
    const emits: EmitRecord[] = [];
    const rb = defFd.get(EMIT_MAP);
    if (rb) drainRingbuf(rb.fd, rb.size, emits, maps);
    const out: NativeOutcome = {
      stop: ret === 0 ? "stopped" : timedOut ? "timeout" : "error",
      ret,
      emits,
      globals,
      verifierLog: lr.log,
      ...(processed !== undefined ? { processed } : {}),
    };
    if (ret !== 0 && !timedOut)
      out.failure = {
        code: RuntimeCodes.runFailed,
        message: `io_uring_enter returned ${errnoName(-ret)} (${ret})`,
      };
    return out;
  } finally {
    for (const m of maps) if (typeof m !== "number") munmap(m);
    for (const fd of fds.reverse()) closeFd(fd);
  }
}

/** Reads every committed record of a BPF ring buffer through its mmap (consumer page, then producer page + data mapped twice). */
export function drainRingbuf(
  fd: number,
  size: number,
  out: EmitRecord[],
  keep: ReturnType<typeof mmap>[],
): void {
  const pg = pageSize();
  const cons = mmap(pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (typeof cons === "number") return;
  keep.push(cons);
  const prod = mmap(pg + 2 * size, PROT_READ, MAP_SHARED, fd, pg);
  if (typeof prod === "number") return;
  keep.push(prod);
  const cv = new DataView(cons.bytes.buffer, cons.bytes.byteOffset, pg);
  const pv = new DataView(prod.bytes.buffer, prod.bytes.byteOffset, prod.bytes.byteLength);
  let c = cv.getBigUint64(0, true);
  const p = pv.getBigUint64(0, true);
  const mask = BigInt(size - 1);
  while (c < p) {
    const at = pg + Number(c & mask);
    const hdr = pv.getUint32(at, true);
    if (hdr & 0x80000000) break; // BUSY: not committed
    const len = hdr & 0x3fffffff;
    if (!(hdr & 0x40000000) && len >= 16)
      out.push({
        userData: pv.getBigUint64(at + 8, true),
        res: pv.getInt32(at + 16, true),
        flags: pv.getUint32(at + 20, true),
      });
    c += BigInt((len + 8 + 7) & ~7);
  }
  cv.setBigUint64(0, c, true);
}
