// Turns an ObjFile into a LoadPlan: one flat instruction array (the program, then every code
// section its calls reach, then the helper shims), the maps to create (global data sections
// and the shims' record maps) and the ld_imm64 slots that must receive their fds. The plan is
// plain JSON so the same plan runs in-process (lenient) or in the strict-mode child.
import type { Diagnostic } from "../diagnostics/index.js";
import {
  type ObjFile,
  type ObjRelocation,
  type ObjSection,
  R_BPF,
  SHF,
  SHT,
  STT,
} from "../elf/types.js";
import { getTarget, type TargetName } from "../targets/targets.js";
import { targetCodegen, targetKernel } from "../targets/registry.js";
import { BPF_F_RDONLY_PROG, BPF_F_SLEEPABLE, BpfMapType, BpfProgType } from "./bpf.js";
import { KernelCodes } from "./codes.js";
import { decodeBtf, skipModsAndTypedefs, type BtfType } from "../elf/btf.js";
import { buildShim, type ShimConfig, type ShimKind, shimMaps, SHIMMED_HELPERS } from "./shim.js";
import {
  decodeSlots,
  encodeSlots,
  OP,
  PSEUDO_CALL,
  PSEUDO_MAP_FD,
  PSEUDO_MAP_VALUE,
  type Slot,
} from "./slots.js";

export interface PlanMap {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** Entries written before the load (base64 key/value). */
  init: { key: string; value: string }[];
  /** Frozen after initialisation (.rodata). */
  freeze: boolean;
  /** Read back after a test run. */
  dump: boolean;
  /** What the map stands for: a global-data section, a `.maps` map, or a shim record map. */
  source: { section: string } | { btfMap: string } | { shim: string };
}

export interface PlanMapRef {
  /** Slot index of the ld_imm64. */
  slot: number;
  map: number;
  kind: "fd" | "value";
  offset: number;
}

export interface LoadPlan {
  progType: number;
  progFlags: number;
  license: string;
  name: string;
  /** Encoded slots (base64); ld_imm64 map imms are filled by the executor. */
  insns: string;
  mapRefs: PlanMapRef[];
  maps: PlanMap[];
  logLevel: number;
  logSize: number;
  /** When present, the program is test-run with this context (base64). */
  run?: { ctx: string };
}

/** Where each part of the flat program came from, for reading verifier logs. */
export interface PlanLayout {
  /** Slots [0, programEnd) are the object's code (program and reached subprograms). */
  programEnd: number;
  shims: { kind: ShimKind; start: number; end: number }[];
  /** Absolute slot index → what reaching it means (a helper contract the shim enforces). */
  traps: Map<number, string>;
  sleepable: boolean;
  shimConfig: ShimConfig;
  /** Plan map index of each shim map (present when any shim is used). */
  shimMaps: Record<string, number>;
  /** The program's section and symbol. */
  section: string;
  symbol?: string;
}

export interface PlanOptions {
  target: TargetName;
  /** Program to load: a section name or a function symbol name. Default: the first program. */
  program?: string;
  /**
   * Whether the io_uring program is sleepable (default: iouring-v2 programs unless their
   * section is `iouring/…`; iouring-v1 never). The SYSCALL shim is always loaded sleepable
   * (the kernel allows nothing else); a non-sleepable program's calls to sleepable-only
   * shimmed helpers are made to fail verification instead.
   */
  sleepable?: boolean;
  /** Shim capacities. */
  nCq?: number;
  perCq?: number;
  maxSqes?: number;
  maxEmits?: number;
  maxCopies?: number;
  logLevel?: number;
  logSize?: number;
  /** File name for diagnostics. */
  file?: string;
}

export interface PlanResult {
  plan?: LoadPlan;
  layout?: PlanLayout;
  diagnostics: Diagnostic[];
}

/** Largest global-data section mapped (the kernel caps array values near KMALLOC_MAX_SIZE). */
const MAX_DATA_SECTION = 1 << 22;

const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

function isCode(s: ObjSection): boolean {
  return s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0;
}

function isData(s: ObjSection): boolean {
  return (
    (s.type === SHT.PROGBITS || s.type === SHT.NOBITS) &&
    (s.flags & SHF.ALLOC) !== 0 &&
    (s.flags & SHF.EXECINSTR) === 0 &&
    /^\.(data|rodata|bss)(\.|$)/.test(s.name)
  );
}

export function buildLoadPlan(obj: ObjFile, options: PlanOptions): PlanResult {
  const file = options.file;
  const diagnostics: Diagnostic[] = [];
  const fail = (code: string, message: string, hint?: string): PlanResult => {
    diagnostics.push({
      code,
      severity: "error",
      message,
      ...(file ? { file } : {}),
      ...(hint ? { hint } : {}),
    });
    return { diagnostics };
  };
  const target = getTarget(options.target);
  const kernel = targetKernel(target);
  if (kernel.unsupported) return fail(KernelCodes.unsupportedTarget, kernel.unsupported);

  // --- choose the program
  const sections = new Map(obj.sections.map((s) => [s.name, s]));
  const codeSections = obj.sections.filter((s) => isCode(s) && s.data.length > 0);
  let mainSection: ObjSection | undefined;
  let symbolName: string | undefined;
  let start = 0;
  let end = 0;
  const funcSyms = obj.symbols.filter((s) => s.type === STT.FUNC && s.section !== undefined);
  if (options.program) {
    const sym = funcSyms.find((s) => s.name === options.program);
    mainSection = sym ? sections.get(sym.section!) : sections.get(options.program);
    if (!mainSection || !isCode(mainSection))
      return fail(
        KernelCodes.noProgram,
        `no program named '${options.program}' (a code section or function symbol)`,
      );
    if (sym) symbolName = sym.name;
  } else {
    mainSection = codeSections.find((s) => s.name !== ".text") ?? codeSections[0];
    if (!mainSection) return fail(KernelCodes.noProgram, "the object has no code section to load");
  }
  const inSection = funcSyms
    .filter((s) => s.section === mainSection!.name && s.bind !== 0)
    .sort((a, b) => a.value - b.value);
  const chosen = symbolName ? inSection.find((s) => s.name === symbolName) : inSection[0];
  if (chosen && chosen.size > 0) {
    symbolName = chosen.name;
    start = chosen.value / 8;
    end = (chosen.value + chosen.size) / 8;
  } else {
    start = 0;
    end = mainSection.data.length / 8;
  }
  for (const c of codeSections)
    if (c.data.length % 8 !== 0)
      return fail(
        KernelCodes.badCall,
        `section '${c.name}' size ${c.data.length} is not a multiple of 8`,
      );
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    end > mainSection.data.length / 8 ||
    start >= end
  )
    return fail(
      KernelCodes.noProgram,
      `program '${symbolName}' (offset ${chosen?.value}, size ${chosen?.size}) is not whole instructions inside '${mainSection.name}'`,
    );

  const sleepable = options.sleepable ?? kernel.sleepable(mainSection.name);

  // --- shim configuration from the target's helper table
  const helperIds = new Map<number, { kind: ShimKind; name: string }>();
  for (const [name, kind] of Object.entries(SHIMMED_HELPERS)) {
    const h = target.helpers[name];
    if (h) helperIds.set(h.id, { kind, name: h.name });
  }
  const shimConfig: ShimConfig = {
    nCq: Math.max(1, options.nCq ?? 4),
    perCq: Math.max(1, options.perCq ?? 16),
    maxSqes: Math.max(1, options.maxSqes ?? 64),
    maxEmits: Math.max(1, options.maxEmits ?? 64),
    maxCopies: Math.max(1, options.maxCopies ?? 16),
    queueReturn: targetCodegen(target).queuedResult ?? 1,
    sqeLen:
      Object.values(target.helpers).find((h) => h.name === "iouring_queue_sqe")?.fixedSize ?? 64,
    cqeLen:
      Object.values(target.helpers).find((h) => h.name === "iouring_reap_cqe")?.fixedSize ?? 16,
  };

  // --- maps: data sections first (created on first reference), then shim maps
  const maps: PlanMap[] = [];
  const mapIndex = new Map<string, number>();
  /** The map of a global-data section, or a reason it cannot have one. */
  const dataMap = (s: ObjSection): number | string => {
    const key = `data:${s.name}`;
    const have = mapIndex.get(key);
    if (have !== undefined) return have;
    const size = s.type === SHT.NOBITS ? (s.size ?? 0) : s.data.length;
    if (size > MAX_DATA_SECTION)
      return `section '${s.name}' is ${size} bytes; the oracle maps global data up to ${MAX_DATA_SECTION} bytes`;
    const ro = s.name.startsWith(".rodata");
    // Array maps start zeroed, so .bss needs no initial value.
    const init =
      s.type === SHT.NOBITS || size === 0
        ? []
        : [{ key: b64(new Uint8Array(4)), value: b64(s.data) }];
    maps.push({
      name: s.name.slice(0, 15),
      type: BpfMapType.ARRAY,
      keySize: 4,
      valueSize: Math.max(1, size),
      maxEntries: 1,
      flags: ro ? BPF_F_RDONLY_PROG : 0,
      init,
      freeze: ro,
      dump: !ro,
      source: { section: s.name },
    });
    mapIndex.set(key, maps.length - 1);
    return maps.length - 1;
  };

  // --- link: flat slot array of pieces
  interface Piece {
    section: ObjSection;
    from: number;
    to: number;
    base: number;
  }
  const pieces: Piece[] = [{ section: mainSection, from: start, to: end, base: 0 }];
  let total = end - start;
  const appended = new Map<string, Piece>();
  const locate = (section: ObjSection, idx: number): number | undefined => {
    const main = pieces[0]!;
    if (section === main.section && idx >= main.from && idx < main.to) return idx - main.from;
    let p = appended.get(section.name);
    if (!p) {
      p = { section, from: 0, to: section.data.length / 8, base: total };
      total += p.to;
      pieces.push(p);
      appended.set(section.name, p);
    }
    return idx >= 0 && idx < p.to ? p.base + idx : undefined;
  };
  const relocIndex = (section: string): Map<number, ObjRelocation> =>
    new Map((obj.relocations.get(section) ?? []).map((r) => [r.offset, r]));
  const resolve = (
    r: ObjRelocation,
  ): { section?: ObjSection; value: number; name: string; undefinedSym: boolean } => {
    if (typeof r.symbol !== "string")
      return {
        section: sections.get(r.symbol.section),
        value: 0,
        name: r.symbol.section,
        undefinedSym: false,
      };
    const sym =
      obj.symbols.find((s) => s.name === r.symbol && s.section !== undefined) ??
      obj.symbols.find((s) => s.name === r.symbol);
    if (!sym) return { value: 0, name: r.symbol, undefinedSym: true };
    return {
      section: sym.section ? sections.get(sym.section) : undefined,
      value: sym.value,
      name: sym.name,
      undefinedSym: sym.section === undefined,
    };
  };

  let btfMaps: BtfMapDef[] | string | undefined;
  const out: Slot[] = [];
  const mapRefs: PlanMapRef[] = [];
  const shimCalls: { slot: number; kind: ShimKind; name: string }[] = [];
  for (let pi = 0; pi < pieces.length; pi++) {
    const piece = pieces[pi]!;
    const slots = decodeSlots(piece.section.data);
    const relocs = relocIndex(piece.section.name);
    for (let i = piece.from; i < piece.to; i++) {
      const g = piece.base + (i - piece.from);
      const s = { ...slots[i]! };
      out[g] = s;
      const where = `${piece.section.name}+${i * 8}`;
      const r = relocs.get(i * 8);
      if (s.code === OP.CALL && s.src === PSEUDO_CALL) {
        let targetSection: ObjSection | undefined = piece.section;
        let targetIdx = i + s.imm + 1;
        if (r) {
          const t = resolve(r);
          if (!t.section)
            return fail(
              KernelCodes.badRelocation,
              `call at ${where}: symbol '${t.name}' is not defined in a section`,
            );
          targetSection = t.section;
          targetIdx = t.value / 8 + s.imm + 1;
        }
        const tg =
          isCode(targetSection) && Number.isInteger(targetIdx)
            ? locate(targetSection, targetIdx)
            : undefined;
        if (tg === undefined)
          return fail(
            KernelCodes.badCall,
            `call at ${where} leaves the code (target ${targetSection.name}+${targetIdx * 8})`,
          );
        s.imm = tg - g - 1;
      } else if (s.code === OP.CALL && s.src === 0) {
        if (r) {
          const t = resolve(r);
          return fail(
            KernelCodes.unsupported,
            `call at ${where} to '${t.name}' is a kfunc or extern call; the oracle supports helper calls only`,
          );
        }
        const shim = helperIds.get(s.imm);
        if (shim) shimCalls.push({ slot: g, ...shim });
      } else if (s.code === OP.LDDW) {
        if (i + 1 >= piece.to)
          return fail(
            KernelCodes.badRelocation,
            `ld_imm64 at ${where} is cut off by the end of the code`,
          );
        const hi = { ...slots[i + 1]! };
        out[g + 1] = hi;
        if (r) {
          if (r.type !== R_BPF.R_BPF_64_64)
            return fail(
              KernelCodes.badRelocation,
              `ld_imm64 at ${where}: relocation type ${r.type} is not R_BPF_64_64`,
            );
          const t = resolve(r);
          if (!t.section)
            return fail(
              KernelCodes.badRelocation,
              `ld_imm64 at ${where}: symbol '${t.name}' is undefined (externs are not supported)`,
            );
          if (t.section.name === ".maps") {
            const defs = btfMaps ?? (btfMaps = btfMapDefs(obj));
            if (typeof defs === "string")
              return fail(
                KernelCodes.unsupported,
                `ld_imm64 at ${where} refers to map '${t.name}': ${defs}`,
              );
            // clang leaves DATASEC offsets 0 (libbpf takes them from the symbols): match by name.
            const at = t.value + s.imm;
            const symName =
              obj.symbols.find(
                (y) => y.section === ".maps" && y.value === at && y.type === STT.OBJECT,
              )?.name ?? t.name;
            const def = defs.find((d) => d.name === symName);
            if (!def)
              return fail(
                KernelCodes.badRelocation,
                `ld_imm64 at ${where}: no map '${symName}' in the .maps BTF`,
              );
            let index = mapIndex.get(`btf:${def.name}`);
            if (index === undefined) {
              maps.push({
                ...def.map,
                init: [],
                freeze: false,
                dump: true,
                source: { btfMap: def.name },
              });
              index = maps.length - 1;
              mapIndex.set(`btf:${def.name}`, index);
            }
            s.src = PSEUDO_MAP_FD;
            s.imm = 0;
            hi.imm = 0;
            mapRefs.push({ slot: g, map: index, kind: "fd", offset: 0 });
            i++;
            continue;
          }
          if (!isData(t.section))
            return fail(
              KernelCodes.badRelocation,
              `ld_imm64 at ${where}: symbol '${t.name}' is in '${t.section.name}', not a map or global-data section`,
            );
          const map = dataMap(t.section);
          if (typeof map === "string")
            return fail(KernelCodes.unsupported, `ld_imm64 at ${where}: ${map}`);
          s.src = PSEUDO_MAP_VALUE;
          const offset = t.value + s.imm;
          s.imm = 0;
          hi.imm = offset;
          mapRefs.push({ slot: g, map, kind: "value", offset });
        }
        i++;
      }
      // Jumps stay inside their function, so linking leaves their offsets unchanged.
    }
  }
  const programEnd = total;

  // --- shims, appended once per kind used
  const shims: PlanLayout["shims"] = [];
  const traps = new Map<number, string>();
  const shimStart = new Map<ShimKind, number>();
  const usedKinds = [...new Set(shimCalls.map((c) => c.kind))];
  if (usedKinds.length > 0) {
    for (const def of shimMaps(shimConfig)) {
      maps.push({
        ...def,
        flags: 0,
        init: [],
        freeze: false,
        dump: true,
        source: { shim: def.name },
      });
      mapIndex.set(`shim:${def.name}`, maps.length - 1);
    }
  }
  for (const kind of usedKinds) {
    const name = shimCalls.find((c) => c.kind === kind)!.name;
    const proto = Object.values(target.helpers).find((h) => h.name === name);
    const forbid =
      proto?.sleepableOnly && !sleepable
        ? `${name} is only available to sleepable programs (section ${target.sections.sleepable ?? "?"}…)`
        : undefined;
    const shim = buildShim(kind, shimConfig, forbid);
    const base = out.length;
    shimStart.set(kind, base);
    out.push(...shim.slots.map((s) => ({ ...s })));
    for (const ref of shim.mapRefs)
      mapRefs.push({
        slot: base + ref.slot,
        map: mapIndex.get(`shim:${ref.map}`)!,
        kind: ref.kind,
        offset: ref.offset,
      });
    for (const t of shim.traps) traps.set(base + t.slot, t.reason);
    shims.push({ kind, start: base, end: out.length });
  }
  for (const c of shimCalls) {
    const s = out[c.slot]!;
    s.src = PSEUDO_CALL;
    s.imm = shimStart.get(c.kind)! - c.slot - 1;
  }
  for (const ref of mapRefs)
    out[ref.slot]!.src = ref.kind === "fd" ? PSEUDO_MAP_FD : PSEUDO_MAP_VALUE;

  const licenseSection = sections.get("license");
  let license = "GPL";
  if (licenseSection) {
    const z = licenseSection.data.indexOf(0);
    license = Buffer.from(licenseSection.data.subarray(0, z < 0 ? undefined : z)).toString(
      "latin1",
    );
  }
  const plan: LoadPlan = {
    progType: BpfProgType.SYSCALL,
    progFlags: BPF_F_SLEEPABLE,
    license,
    name: symbolName ?? mainSection.name,
    insns: b64(encodeSlots(out)),
    mapRefs,
    maps,
    logLevel: options.logLevel ?? 1,
    logSize: options.logSize ?? 16 << 20,
  };
  return {
    plan,
    layout: {
      programEnd,
      shims,
      traps,
      sleepable,
      shimConfig,
      shimMaps: Object.fromEntries(
        [...mapIndex].filter(([k]) => k.startsWith("shim:")).map(([k, v]) => [k.slice(5), v]),
      ),
      section: mainSection.name,
      ...(symbolName ? { symbol: symbolName } : {}),
    },
    diagnostics,
  };
}

interface BtfMapDef {
  name: string;
  map: {
    name: string;
    type: number;
    keySize: number;
    valueSize: number;
    maxEntries: number;
    flags: number;
  };
}

function sizeOf(t: BtfType): number | undefined {
  const x = skipModsAndTypedefs(t);
  switch (x.kind) {
    case "int":
    case "struct":
    case "union":
    case "enum":
    case "enum64":
    case "float":
      return x.size;
    case "ptr":
      return 8;
    case "array": {
      const e = sizeOf(x.type);
      return e === undefined ? undefined : e * x.nelems;
    }
    default:
      return undefined;
  }
}

/**
 * The map definitions of `.maps` from the object's BTF (elf.md: integer attributes are
 * pointers to arrays whose length is the value; key/value are pointers to the types).
 * Returns a reason string when they cannot be read.
 */
function btfMapDefs(obj: ObjFile): BtfMapDef[] | string {
  const btfSection = obj.sections.find((s) => s.name === ".BTF");
  if (!btfSection) return "the object has no .BTF section, which .maps definitions need";
  const btf = decodeBtf(btfSection.data);
  if (btf.diagnostics.length) return `its BTF cannot be decoded: ${btf.diagnostics[0]!.message}`;
  const sec = btf.types.find((t) => t.kind === "datasec" && t.name === ".maps");
  if (!sec || sec.kind !== "datasec") return "the BTF has no .maps DATASEC";
  const out: BtfMapDef[] = [];
  for (const v of sec.vars) {
    if (v.type.kind !== "var") continue;
    const st = skipModsAndTypedefs(v.type.type);
    if (st.kind !== "struct") return `map '${v.type.name}' is not a struct in BTF`;
    const attr: Record<string, number> = {};
    for (const m of st.members) {
      const p = skipModsAndTypedefs(m.type);
      if (p.kind !== "ptr") continue;
      const target = skipModsAndTypedefs(p.target);
      if (m.name === "key" || m.name === "value") {
        const size = sizeOf(p.target);
        if (size !== undefined) attr[`${m.name}_size`] = size;
      } else if (target.kind === "array") attr[m.name] = target.nelems;
    }
    if (attr.type === undefined || attr.max_entries === undefined)
      return `map '${v.type.name}' lacks type or max_entries`;
    out.push({
      name: v.type.name,
      map: {
        name: v.type.name.slice(0, 15),
        type: attr.type,
        keySize: attr.key_size ?? 0,
        valueSize: attr.value_size ?? 0,
        maxEntries: attr.max_entries,
        flags: attr.map_flags ?? 0,
      },
    });
  }
  return out;
}
