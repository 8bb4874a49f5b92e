// Scenario files (YAML or JSON, docs/vm.md): what the simulated ring does with each SQE, the
// ring's shape, user memory, maps, clock, seed and limits. Reading never throws: every
// problem is an E8010 diagnostic naming the offending key.
import { type Document, isMap, isScalar, isSeq, type Node } from "yaml";
import { loadYaml } from "../util/yaml.js";
import { type Diagnostic, SourceFile, type SourceRange } from "../diagnostics/index.js";
import { iosqeFlag, opcodeNumber } from "../targets/sqe.js";
import { getTarget, isTargetName, type TargetName } from "../targets/targets.js";
import { VmCodes } from "./codes.js";
import { MAP_TYPE_NAMES, type MapDef } from "./maps.js";
import type { SqeView } from "./ring.js";

/** errno names a scenario may use for `error:`. */
export const ERRNO: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  EFBIG: 27,
  ENOSPC: 28,
  EPIPE: 32,
  ETIME: 62,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EALREADY: 114,
  ECANCELED: 125,
};

/** io_uring's BPF request opcode; the same number in both RFC targets (abi.md, derived). */
export const IORING_OP_BPF = getTarget("iouring-v2").constants.IORING_OP_BPF!;

export interface CompletionRule {
  match: { userData?: bigint; opcode?: number; seq?: number };
  res?: number;
  flags: number;
  after?: number;
  /** How many SQEs the rule applies to before it is used up (default: unlimited). */
  times?: number;
}

export interface Scenario {
  target?: TargetName;
  program?: string;
  /** The registered program table a BPF SQE's `off` indexes (default: every program in order). */
  programs?: string[];
  userData: bigint;
  /**
   * The `wait_idx` a BPF request's context starts with (the loader sets it, abi.md): one
   * number for every program, or per program name; default 0.
   */
  waitIdx?: number | Record<string, number>;
  submit?: Partial<SqeView>[];
  sqEntries: number;
  cqEntries: number[];
  /** Whether the file set ring.sq_entries / ring.cq_entries (linux-7.1 has other defaults). */
  ringGiven?: { sq: boolean; cq: boolean };
  cqes: { cq: number; userData: bigint; res: number; flags: number }[];
  completions: CompletionRule[];
  defaultAfter: number;
  userMemory: { addr: bigint; bytes: Uint8Array }[];
  maps: MapDef[];
  mapInit: { map: string; key: Uint8Array | number; value: Uint8Array }[];
  clock: { start: bigint; step: bigint };
  seed: number;
  limits: { runs: number; steps: number; insnsPerRun: number; insns: number; events: number };
  /**
   * Values a loader writes into the object's data sections before the run (`declare const`
   * and other global integer variables), applied by `simulate`; `range` locates the key.
   */
  globals: { name: string; value: bigint; range?: SourceRange }[];
}

export function defaultScenario(): Scenario {
  return {
    userData: 0n,
    sqEntries: 128,
    cqEntries: [256],
    cqes: [],
    completions: [],
    defaultAfter: 1,
    userMemory: [],
    maps: [],
    mapInit: [],
    clock: { start: 1_000_000_000n, step: 1000n },
    seed: 1,
    // insns and events bound the whole simulation's time and memory: without them
    // 10,000 runs of a program that submits 128 SQEs each took 12 s and --json overflowed.
    limits: {
      runs: 10_000,
      steps: 100_000,
      insnsPerRun: 1_000_000,
      insns: 10_000_000,
      events: 200_000,
    },
    globals: [],
  };
}

type Obj = Record<string, unknown>;

class Reader {
  readonly diagnostics: Diagnostic[] = [];
  doc: Document | undefined;
  private readonly source: SourceFile;
  constructor(
    readonly file: string,
    text: string,
  ) {
    this.source = new SourceFile(file, text);
  }

  /** An error about the value at `path` (or, with `atKey`, the key that ends it), located in the file. */
  err(path: string, message: string, atKey = false): undefined {
    const range = this.locate(path, atKey);
    this.diagnostics.push({
      code: VmCodes.badScenario,
      severity: "error",
      message: `${path}: ${message}`,
      ...(range ? { range } : { file: this.file }),
    });
    return undefined;
  }

  rangeAt(start: number, end: number): SourceRange {
    return this.source.range(start, end);
  }

  /**
   * The source range of a diagnostic path such as `completions[2].match.opcode`: the deepest
   * node the path reaches (a key with `atKey` when the last step is a mapping key).
   */
  locate(path: string, atKey = false): SourceRange | undefined {
    if (!this.doc) return undefined;
    const steps = [...path.replace(/^\(top level\)\.?/, "").matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map(
      (m) => (m[1] !== undefined ? Number(m[1]) : m[2]!),
    );
    let node: Node | null | undefined = this.doc.contents as Node | null;
    let found: readonly [number, number, number] | undefined = node?.range ?? undefined;
    for (const [i, step] of steps.entries()) {
      const last = i === steps.length - 1;
      if (isMap(node) && typeof step === "string") {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === step);
        if (!pair) break;
        const key = pair.key as Node;
        if (last && atKey) {
          found = key.range ?? found;
          break;
        }
        node = pair.value as Node | null;
        found = node?.range ?? key.range ?? found;
      } else if (isSeq(node) && typeof step === "number") {
        node = node.items[step] as Node | null;
        if (!node) break;
        found = node.range ?? found;
      } else break;
    }
    return found ? this.source.range(found[0], found[1]) : undefined;
  }

  obj(v: unknown, path: string): Obj | undefined {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Obj;
    return this.err(path, "expected a mapping");
  }

  list(v: unknown, path: string): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    return this.err(path, "expected a list");
  }

  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        this.err(`${path}.${k}`, `unknown key (expected one of ${allowed.join(", ")})`, true);
  }

  big(v: unknown, path: string): bigint | undefined {
    try {
      if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
      if (typeof v === "bigint") return v;
      if (typeof v === "string" && /^-?(0x[0-9a-f]+|\d+)$/i.test(v.trim())) {
        const t = v.trim();
        return t.startsWith("-") ? -BigInt(t.slice(1)) : BigInt(t);
      }
    } catch {
      /* fall through */
    }
    return this.err(path, "expected an integer");
  }

  int(v: unknown, path: string, min = -(2 ** 31), max = 2 ** 32 - 1): number | undefined {
    const b = this.big(v, path);
    if (b === undefined) return undefined;
    if (b < BigInt(min) || b > BigInt(max))
      return this.err(path, `must be between ${min} and ${max}`);
    return Number(b);
  }

  u64(v: unknown, path: string): bigint | undefined {
    const b = this.big(v, path);
    if (b === undefined) return undefined;
    if (b < -(2n ** 63n) || b >= 2n ** 64n) return this.err(path, "does not fit in 64 bits");
    return BigInt.asUintN(64, b);
  }

  /** Bytes from a hex string ("0a0b"), a list of byte values, or {string: "text"}. */
  bytes(v: unknown, path: string): Uint8Array | undefined {
    if (typeof v === "string") {
      const hex = v.replace(/\s+/g, "").replace(/^0x/i, "");
      if (!/^([0-9a-f]{2})*$/i.test(hex))
        return this.err(path, 'expected hex bytes such as "01ff"');
      return new Uint8Array(Buffer.from(hex, "hex"));
    }
    if (Array.isArray(v)) {
      const out = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const b = this.int(v[i], `${path}[${i}]`, 0, 255);
        if (b === undefined) return undefined;
        out[i] = b;
      }
      return out;
    }
    const o = typeof v === "object" && v !== null ? (v as Obj) : undefined;
    if (o && typeof o.string === "string")
      return new Uint8Array(Buffer.from(o.string + (o.nul === false ? "" : "\0"), "latin1"));
    return this.err(path, "expected hex bytes, a list of bytes, or { string: … }");
  }

  opcode(v: unknown, path: string): number | undefined {
    if (typeof v === "string" && !/^\d/.test(v)) {
      if (v.toUpperCase().replace(/^IORING_OP_/, "") === "BPF") return IORING_OP_BPF;
      const n = opcodeNumber(v.toUpperCase());
      return n ?? this.err(path, `unknown opcode ${v}`);
    }
    return this.int(v, path, 0, 255);
  }

  res(o: Obj, path: string): number | undefined {
    if (o.error !== undefined) {
      if (typeof o.error === "string") {
        const e = ERRNO[o.error.toUpperCase()];
        return e !== undefined
          ? -e
          : this.err(
              `${path}.error`,
              `unknown errno name ${o.error} (known: ${Object.keys(ERRNO).join(", ")})`,
            );
      }
      const n = this.int(o.error, `${path}.error`, 1, 4095);
      return n === undefined ? undefined : -n;
    }
    if (o.res !== undefined) return this.int(o.res, `${path}.res`, -(2 ** 31), 2 ** 31 - 1);
    return undefined;
  }

  sqe(v: unknown, path: string): Partial<SqeView> | undefined {
    const o = this.obj(v, path);
    if (!o) return undefined;
    const known = [
      "opcode",
      "flags",
      "ioprio",
      "fd",
      "off",
      "addr",
      "len",
      "op_flags",
      "user_data",
      "buf_index",
      "personality",
      "splice_fd_in",
      "addr3",
      "cq",
    ];
    this.keys(o, path, known);
    const s: Partial<SqeView> = {};
    s.opcode = o.opcode === undefined ? IORING_OP_BPF : this.opcode(o.opcode, `${path}.opcode`);
    if (o.flags !== undefined) {
      if (Array.isArray(o.flags)) {
        let f = 0;
        for (const [i, name] of o.flags.entries()) {
          const flag = typeof name === "string" ? iosqeFlag(name) : undefined;
          if (!flag) this.err(`${path}.flags[${i}]`, `unknown IOSQE flag ${String(name)}`);
          else f |= 1 << flag.bit;
        }
        s.flags = f;
      } else s.flags = this.int(o.flags, `${path}.flags`, 0, 255);
    }
    if (o.ioprio !== undefined) s.ioprio = this.int(o.ioprio, `${path}.ioprio`, 0, 0xffff);
    if (o.fd !== undefined) s.fd = this.int(o.fd, `${path}.fd`, -(2 ** 31), 2 ** 31 - 1);
    if (o.off !== undefined) s.off = this.u64(o.off, `${path}.off`);
    if (o.addr !== undefined) s.addr = this.u64(o.addr, `${path}.addr`);
    if (o.len !== undefined) s.len = this.int(o.len, `${path}.len`, 0);
    if (o.op_flags !== undefined) s.opFlags = this.int(o.op_flags, `${path}.op_flags`, 0);
    if (o.user_data !== undefined) s.userData = this.u64(o.user_data, `${path}.user_data`);
    if (o.buf_index !== undefined)
      s.bufIndex = this.int(o.buf_index, `${path}.buf_index`, 0, 0xffff);
    if (o.personality !== undefined)
      s.personality = this.int(o.personality, `${path}.personality`, 0, 0xffff);
    if (o.splice_fd_in !== undefined)
      s.spliceFdIn = this.int(o.splice_fd_in, `${path}.splice_fd_in`);
    if (o.addr3 !== undefined) s.addr3 = this.u64(o.addr3, `${path}.addr3`);
    if (o.cq !== undefined) s.cq = this.int(o.cq, `${path}.cq`, 0, 0xffff);
    return s;
  }
}

const TOP_KEYS = [
  "target",
  "program",
  "programs",
  "user_data",
  "wait_idx",
  "submit",
  "ring",
  "cqes",
  "completions",
  "defaults",
  "user_memory",
  "maps",
  "clock",
  "seed",
  "limits",
  "globals",
];

export interface ParseScenarioOptions {
  /** Top-level keys another tool consumes (the golden runner's `sources`): accepted, ignored. */
  extraKeys?: readonly string[];
}

/** Parses scenario text (YAML 1.2, so JSON too). Diagnostics carry file:line:col ranges. */
export function parseScenario(
  text: string,
  file = "<scenario>",
  options: ParseScenarioOptions = {},
): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const r = new Reader(file, text);
  // Every YAML problem (syntax, duplicate keys, aliases, nesting) is E8010 at its line.
  const loaded = loadYaml(text, file, VmCodes.badScenario);
  if (!loaded.doc) return { diagnostics: loaded.diagnostics };
  r.doc = loaded.doc;
  const raw: unknown = loaded.value ?? {};
  const top = r.obj(raw, "(top level)");
  if (!top) return { diagnostics: r.diagnostics };
  r.keys(top, "(top level)", [...TOP_KEYS, ...(options.extraKeys ?? [])]);
  const s = defaultScenario();

  if (top.target !== undefined) {
    if (typeof top.target === "string" && isTargetName(top.target)) s.target = top.target;
    else r.err("target", "expected iouring-v1, iouring-v2 or linux-7.1");
  }
  if (top.program !== undefined) {
    if (typeof top.program === "string") s.program = top.program;
    else r.err("program", "expected a program (function or section) name");
  }
  if (top.programs !== undefined) {
    const l = r.list(top.programs, "programs");
    if (l)
      s.programs = l.map((x, i) =>
        typeof x === "string" ? x : (r.err(`programs[${i}]`, "expected a name"), ""),
      );
  }
  if (top.user_data !== undefined) s.userData = r.u64(top.user_data, "user_data") ?? 0n;
  if (top.wait_idx !== undefined) {
    if (typeof top.wait_idx === "object" && top.wait_idx !== null && !Array.isArray(top.wait_idx)) {
      const m: Record<string, number> = {};
      for (const [k, v] of Object.entries(top.wait_idx as Record<string, unknown>))
        m[k] = r.int(v, `wait_idx.${k}`, 0, 2 ** 32 - 1) ?? 0;
      s.waitIdx = m;
    } else s.waitIdx = r.int(top.wait_idx, "wait_idx", 0, 2 ** 32 - 1) ?? 0;
  }
  if (top.submit !== undefined) {
    const l = r.list(top.submit, "submit");
    if (l) s.submit = l.map((x, i) => r.sqe(x, `submit[${i}]`) ?? {});
  }
  if (top.ring !== undefined) {
    const o = r.obj(top.ring, "ring");
    if (o) {
      r.keys(o, "ring", ["sq_entries", "cq_entries"]);
      s.ringGiven = { sq: o.sq_entries !== undefined, cq: o.cq_entries !== undefined };
      if (o.sq_entries !== undefined)
        s.sqEntries = r.int(o.sq_entries, "ring.sq_entries", 1, 32768) ?? s.sqEntries;
      if (o.cq_entries !== undefined) {
        const l = Array.isArray(o.cq_entries) ? o.cq_entries : [o.cq_entries];
        if (l.length === 0) r.err("ring.cq_entries", "at least one CQ is needed");
        else s.cqEntries = l.map((x, i) => r.int(x, `ring.cq_entries[${i}]`, 1, 65536) ?? 1);
      }
    }
  }
  if (top.cqes !== undefined) {
    for (const [i, x] of (r.list(top.cqes, "cqes") ?? []).entries()) {
      const o = r.obj(x, `cqes[${i}]`);
      if (!o) continue;
      r.keys(o, `cqes[${i}]`, ["cq", "user_data", "res", "error", "flags"]);
      s.cqes.push({
        cq: o.cq === undefined ? 0 : (r.int(o.cq, `cqes[${i}].cq`, 0, 0xffff) ?? 0),
        userData:
          o.user_data === undefined ? 0n : (r.u64(o.user_data, `cqes[${i}].user_data`) ?? 0n),
        res: r.res(o, `cqes[${i}]`) ?? 0,
        flags: o.flags === undefined ? 0 : (r.int(o.flags, `cqes[${i}].flags`, 0) ?? 0),
      });
    }
  }
  if (top.completions !== undefined) {
    for (const [i, x] of (r.list(top.completions, "completions") ?? []).entries()) {
      const p = `completions[${i}]`;
      const o = r.obj(x, p);
      if (!o) continue;
      r.keys(o, p, ["match", "res", "error", "flags", "after", "times"]);
      const rule: CompletionRule = { match: {}, flags: 0 };
      if (o.match !== undefined) {
        const m = r.obj(o.match, `${p}.match`);
        if (m) {
          r.keys(m, `${p}.match`, ["user_data", "opcode", "seq"]);
          if (m.user_data !== undefined)
            rule.match.userData = r.u64(m.user_data, `${p}.match.user_data`);
          if (m.opcode !== undefined) rule.match.opcode = r.opcode(m.opcode, `${p}.match.opcode`);
          if (m.seq !== undefined) rule.match.seq = r.int(m.seq, `${p}.match.seq`, 0);
        }
      }
      const res = r.res(o, p);
      if (res !== undefined) rule.res = res;
      if (o.flags !== undefined) rule.flags = r.int(o.flags, `${p}.flags`, 0) ?? 0;
      if (o.after !== undefined) rule.after = r.int(o.after, `${p}.after`, 0, 1_000_000);
      if (o.times !== undefined) rule.times = r.int(o.times, `${p}.times`, 1);
      s.completions.push(rule);
    }
  }
  if (top.defaults !== undefined) {
    const o = r.obj(top.defaults, "defaults");
    if (o) {
      r.keys(o, "defaults", ["after"]);
      if (o.after !== undefined)
        s.defaultAfter = r.int(o.after, "defaults.after", 0, 1_000_000) ?? 1;
    }
  }
  if (top.user_memory !== undefined) {
    for (const [i, x] of (r.list(top.user_memory, "user_memory") ?? []).entries()) {
      const o = r.obj(x, `user_memory[${i}]`);
      if (!o) continue;
      r.keys(o, `user_memory[${i}]`, ["addr", "size", "data"]);
      const addr = r.u64(o.addr, `user_memory[${i}].addr`);
      const data =
        o.data === undefined ? new Uint8Array(0) : r.bytes(o.data, `user_memory[${i}].data`);
      const size =
        o.size === undefined
          ? (data?.length ?? 0)
          : r.int(o.size, `user_memory[${i}].size`, 1, 1 << 24);
      if (addr === undefined || data === undefined || size === undefined) continue;
      const bytes = new Uint8Array(Math.max(size, data.length));
      bytes.set(data);
      s.userMemory.push({ addr, bytes });
    }
  }
  if (top.maps !== undefined) {
    const o = r.obj(top.maps, "maps");
    for (const [name, x] of Object.entries(o ?? {})) {
      const p = `maps.${name}`;
      const m = r.obj(x, p);
      if (!m) continue;
      r.keys(m, p, ["type", "key_size", "value_size", "max_entries", "flags", "entries"]);
      if (
        m.type !== undefined ||
        m.key_size !== undefined ||
        m.value_size !== undefined ||
        m.max_entries !== undefined
      ) {
        const type =
          typeof m.type === "string"
            ? MAP_TYPE_NAMES[m.type]
            : r.int(m.type ?? 2, `${p}.type`, 1, 64);
        if (type === undefined)
          r.err(`${p}.type`, `unknown map type (known: ${Object.keys(MAP_TYPE_NAMES).join(", ")})`);
        s.maps.push({
          name,
          type: type ?? 2,
          keySize: r.int(m.key_size ?? 4, `${p}.key_size`, 0, 512) ?? 4,
          valueSize: r.int(m.value_size ?? 8, `${p}.value_size`, 0, 1 << 20) ?? 8,
          maxEntries: r.int(m.max_entries ?? 1, `${p}.max_entries`, 1, 1 << 24) ?? 1,
          flags: r.int(m.flags ?? 0, `${p}.flags`, 0) ?? 0,
        });
      }
      if (m.entries !== undefined) {
        const e = r.obj(m.entries, `${p}.entries`);
        for (const [k, val] of Object.entries(e ?? {})) {
          const value = r.bytes(val, `${p}.entries.${k}`);
          const key = /^\d+$/.test(k) ? Number(k) : r.bytes(k, `${p}.entries (key ${k})`);
          if (value && key !== undefined) s.mapInit.push({ map: name, key, value });
        }
      }
    }
  }
  if (top.clock !== undefined) {
    const o = r.obj(top.clock, "clock");
    if (o) {
      r.keys(o, "clock", ["start", "step"]);
      if (o.start !== undefined) s.clock.start = r.u64(o.start, "clock.start") ?? s.clock.start;
      if (o.step !== undefined) s.clock.step = r.u64(o.step, "clock.step") ?? s.clock.step;
    }
  }
  if (top.globals !== undefined) {
    const o = r.obj(top.globals, "globals");
    for (const [name, v] of Object.entries(o ?? {})) {
      const value = r.big(v, `globals.${name}`);
      if (value === undefined) continue;
      const range = r.locate(`globals.${name}`, true);
      s.globals.push({ name, value, ...(range ? { range } : {}) });
    }
  }
  if (top.seed !== undefined) s.seed = r.int(top.seed, "seed", 0) ?? 1;
  if (top.limits !== undefined) {
    const o = r.obj(top.limits, "limits");
    if (o) {
      r.keys(o, "limits", ["runs", "steps", "insns_per_run", "insns", "events"]);
      if (o.runs !== undefined)
        s.limits.runs = r.int(o.runs, "limits.runs", 1, 1e7) ?? s.limits.runs;
      if (o.steps !== undefined)
        s.limits.steps = r.int(o.steps, "limits.steps", 1, 1e9) ?? s.limits.steps;
      if (o.insns_per_run !== undefined)
        s.limits.insnsPerRun =
          r.int(o.insns_per_run, "limits.insns_per_run", 1, 1e10) ?? s.limits.insnsPerRun;
      if (o.insns !== undefined)
        s.limits.insns = r.int(o.insns, "limits.insns", 1, 1e11) ?? s.limits.insns;
      if (o.events !== undefined)
        s.limits.events = r.int(o.events, "limits.events", 0, 1e7) ?? s.limits.events;
    }
  }
  for (const [i, c] of s.cqes.entries())
    if (c.cq >= s.cqEntries.length)
      r.err(
        `cqes[${i}].cq`,
        `CQ ${c.cq} does not exist (ring.cq_entries has ${s.cqEntries.length})`,
      );
  // In file order (the reader finds problems key by key, not line by line).
  const at = (d: Diagnostic) => d.range?.start.offset ?? -1;
  const diagnostics = r.diagnostics.map((d, i) => ({ d, i }));
  diagnostics.sort((a, b) => at(a.d) - at(b.d) || a.i - b.i);
  return r.diagnostics.length
    ? { diagnostics: diagnostics.map((x) => x.d) }
    : { scenario: s, diagnostics: [] };
}

/**
 * The range of a diagnostic path (`maps.m`, `programs[1]`, `program`) in scenario text, for
 * problems found later against the object (simulate): reported at the key's line.
 */
export function locateInScenario(
  text: string,
  file: string,
  path: string,
  atKey = false,
): SourceRange | undefined {
  const loaded = loadYaml(text, file, VmCodes.badScenario);
  if (!loaded.doc) return undefined;
  const r = new Reader(file, text);
  r.doc = loaded.doc;
  return r.locate(path, atKey);
}
