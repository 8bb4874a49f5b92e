// Structure-aware fuzzing of every command and reader (issue 15): damaged objects for
// `disasm`/`verify`/`run` (ELF header, section, symbol and relocation fields; BTF header,
// type records and strings; BTF.ext lengths, record sizes and counts), token-wise mutated
// sources for `compile`/`check`, mutated assembly for `asm`, mutated scenario YAML for `run`
// and golden scenarios for `test`. Each case runs in a worker process (fuzz-worker.ts) under
// a time limit (a hang) and a memory limit (a blow-up); both count as failures like a crash
// (exit 3 or a printed stack trace). Used by test/hostile/fuzz.test.ts (short, CI) and
// bench/fuzz.ts (`npm run bench -- fuzz`, long).
import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/codegen/index.js";
import { SourceFile } from "../../src/diagnostics/index.js";
import type { FuzzCase, FuzzReply } from "./fuzz-worker.js";

export const ROOT = new URL("../../", import.meta.url).pathname;

// --- a seeded generator --------------------------------------------------------------------

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// --- the corpus --------------------------------------------------------------------------

/**
 * Each corpus entry's target: examples/<name>/ holds linux-7.1 programs, <name>/v2/ iouring-v2
 * (`compile` and `check` cases say it; `run` and `verify` infer it from the object).
 */
export type CorpusTarget = "linux-7.1" | "iouring-v2";

export interface Corpus {
  objects: { name: string; dir: string; target: CorpusTarget; bytes: Uint8Array }[];
  sources: { name: string; dir: string; target: CorpusTarget; text: string }[];
  asm: { name: string; target: CorpusTarget; text: string }[];
  scenarios: { name: string; dir: string; target: CorpusTarget; text: string }[];
  /** A source whose scenario the golden runner compiles (echo: small and quick), with its trace. */
  goldenSource: { name: string; text: string; expected: string };
}

export function buildCorpus(): Corpus {
  const ex = join(ROOT, "examples");
  const sources: Corpus["sources"] = [];
  const scenarios: Corpus["scenarios"] = [];
  for (const d of readdirSync(ex).sort()) {
    for (const [dir, target] of [
      [d, "linux-7.1"],
      [`${d}/v2`, "iouring-v2"],
    ] as const) {
      if (!existsSync(join(ex, dir))) continue;
      for (const f of readdirSync(join(ex, dir)).sort()) {
        if (!f.endsWith(".bpf.ts") && !f.endsWith(".scenario.yaml")) continue;
        const text = readFileSync(join(ex, dir, f), "utf8");
        if (f.endsWith(".bpf.ts")) sources.push({ name: f, dir, target, text });
        else scenarios.push({ name: f, dir, target, text });
      }
    }
  }
  const objects: Corpus["objects"] = [];
  const asm: Corpus["asm"] = [];
  // ping and pong make one object; every other source its own.
  const groups = new Map<string, Corpus["sources"]>();
  for (const s of sources) {
    const key = /^p[io]ng\.bpf\.ts$/.test(s.name) ? `${s.dir}/ping` : `${s.dir}/${s.name}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const g of groups.values()) {
    const { dir, target } = g[0]!;
    const r = compile(
      g.map((s) => new SourceFile(s.name, s.text)),
      { emitAsm: true, target },
    );
    const name = g[0]!.name.replace(/\.bpf\.ts$/, "");
    if (r.bytes) objects.push({ name: `${name}.o`, dir, target, bytes: r.bytes });
    if (r.asm) asm.push({ name: `${name}.s`, target, text: r.asm });
  }
  const echo = sources.find((s) => s.name === "echo.bpf.ts" && s.dir === "echo")!;
  const expected = readFileSync(join(ex, "echo/echo.trace.expected"), "utf8");
  return { objects, sources, asm, scenarios, goldenSource: { ...echo, expected } };
}

// --- ELF/BTF structure-aware mutation ----------------------------------------------------

interface Field {
  at: number;
  size: 1 | 2 | 4 | 8;
  what: string;
}

/** Every interesting field of an object: header, section headers, symbols, relocations, BTF, BTF.ext. */
export function objectFields(b: Uint8Array): Field[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Field[] = [];
  const f = (at: number, size: Field["size"], what: string): void => {
    if (at >= 0 && at + size <= b.length) out.push({ at, size, what });
  };
  if (b.length < 64) return out;
  for (const [o, s, w] of [
    [16, 2, "e_type"],
    [18, 2, "e_machine"],
    [40, 8, "e_shoff"],
    [56, 2, "e_phnum"],
    [58, 2, "e_shentsize"],
    [60, 2, "e_shnum"],
    [62, 2, "e_shstrndx"],
  ] as const)
    f(o, s, w);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  if (shoff + shnum * 64 > b.length) return out;
  const hs: { at: number; type: number; off: number; size: number; name: number }[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * 64;
    hs.push({
      at,
      type: v.getUint32(at + 4, true),
      off: Number(v.getBigUint64(at + 24, true)),
      size: Number(v.getBigUint64(at + 32, true)),
      name: v.getUint32(at, true),
    });
    for (const [o, s, w] of [
      [0, 4, "sh_name"],
      [4, 4, "sh_type"],
      [8, 8, "sh_flags"],
      [24, 8, "sh_offset"],
      [32, 8, "sh_size"],
      [40, 4, "sh_link"],
      [44, 4, "sh_info"],
      [48, 8, "sh_addralign"],
      [56, 8, "sh_entsize"],
    ] as const)
      f(at + o, s, `section ${i} ${w}`);
  }
  const strtab = hs[v.getUint16(62, true)];
  const nameOf = (h: (typeof hs)[number]): string => {
    if (!strtab) return "";
    let p = strtab.off + h.name;
    let s = "";
    while (p < b.length && b[p] !== 0 && s.length < 64) s += String.fromCharCode(b[p++]!);
    return s;
  };
  for (const h of hs) {
    if (h.off + h.size > b.length) continue;
    if (h.type === 2)
      for (let at = h.off + 24; at + 24 <= h.off + h.size; at += 24)
        for (const [o, s, w] of [
          [0, 4, "st_name"],
          [4, 1, "st_info"],
          [6, 2, "st_shndx"],
          [8, 8, "st_value"],
          [16, 8, "st_size"],
        ] as const)
          f(at + o, s, `symbol ${w}`);
    if (h.type === 9)
      for (let at = h.off; at + 16 <= h.off + h.size; at += 16) {
        f(at, 8, "r_offset");
        f(at + 8, 4, "r_type");
        f(at + 12, 4, "r_sym");
      }
    const name = nameOf(h);
    if (name === ".BTF" && h.size >= 24) {
      for (const [o, w] of [
        [4, "hdr_len"],
        [8, "type_off"],
        [12, "type_len"],
        [16, "str_off"],
        [20, "str_len"],
      ] as const)
        f(h.off + o, 4, `BTF ${w}`);
      // Type records: walk by their own lengths as far as they make sense.
      const hdr = v.getUint32(h.off + 4, true);
      let at = h.off + hdr + v.getUint32(h.off + 8, true);
      const end = Math.min(h.off + h.size, at + v.getUint32(h.off + 12, true));
      for (let n = 0; at + 12 <= end && n < 2000; n++) {
        f(at, 4, "BTF type name_off");
        f(at + 4, 4, "BTF type info");
        f(at + 8, 4, "BTF type size/type");
        const info = v.getUint32(at + 4, true);
        const kind = (info >>> 24) & 0x1f;
        const vlen = info & 0xffff;
        at += 12;
        const extra =
          kind === 1
            ? 4
            : kind === 3
              ? 12
              : kind === 4 || kind === 5
                ? vlen * 12
                : kind === 6
                  ? vlen * 8
                  : kind === 13
                    ? vlen * 8
                    : kind === 14
                      ? 4
                      : kind === 15
                        ? vlen * 12
                        : kind === 17
                          ? 4
                          : kind === 19
                            ? vlen * 12
                            : 0;
        for (let k = 0; k < extra && k < 48; k += 4) f(at + k, 4, "BTF type member");
        at += extra;
      }
    }
    if (name === ".BTF.ext" && h.size >= 32) {
      for (const [o, w] of [
        [4, "hdr_len"],
        [8, "func_off"],
        [12, "func_len"],
        [16, "line_off"],
        [20, "line_len"],
        [24, "core_off"],
        [28, "core_len"],
      ] as const)
        f(h.off + o, 4, `BTF.ext ${w}`);
      const hdr = v.getUint32(h.off + 4, true);
      for (const o of [8, 16, 24]) {
        const start = h.off + hdr + v.getUint32(h.off + o, true);
        f(start, 4, "BTF.ext record size");
        f(start + 4, 4, "BTF.ext block name");
        f(start + 8, 4, "BTF.ext num_info");
        for (let k = 12; k < 44; k += 4) f(start + k, 4, "BTF.ext record");
      }
    }
  }
  return out;
}

function interesting(rng: Rng, b: Uint8Array, old: bigint, size: number): bigint {
  const max = size === 8 ? 0xffffffffffffffffn : (1n << BigInt(size * 8)) - 1n;
  const choices: bigint[] = [
    0n,
    1n,
    2n,
    7n,
    8n,
    16n,
    24n,
    64n,
    max,
    max - 1n,
    max >> 1n,
    (max >> 1n) + 1n,
    0xffffffffn,
    0x7fffffffn,
    0x80000000n,
    0xffffn,
    BigInt(b.length),
    BigInt(b.length - 1),
    BigInt(b.length + 1),
    old + 1n,
    old - 1n,
    old * 2n,
    old + 8n,
    old - 8n,
    old ^ 0x80n,
    BigInt(rng.int(256)),
    BigInt(rng.int(65536)),
    BigInt(rng.int(b.length + 64)),
  ];
  return BigInt.asUintN(size * 8, rng.pick(choices)) & max;
}

export function mutateObject(rng: Rng, original: Uint8Array): Uint8Array {
  let b = new Uint8Array(original);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const v = new DataView(b.buffer);
    const kind = rng.int(10);
    if (kind < 7) {
      const fields = objectFields(b);
      if (!fields.length) continue;
      const fl = rng.pick(fields);
      const read = (): bigint =>
        fl.size === 1
          ? BigInt(v.getUint8(fl.at))
          : fl.size === 2
            ? BigInt(v.getUint16(fl.at, true))
            : fl.size === 4
              ? BigInt(v.getUint32(fl.at, true))
              : v.getBigUint64(fl.at, true);
      const nv = interesting(rng, b, read(), fl.size);
      if (fl.size === 1) v.setUint8(fl.at, Number(nv));
      else if (fl.size === 2) v.setUint16(fl.at, Number(nv), true);
      else if (fl.size === 4) v.setUint32(fl.at, Number(nv), true);
      else v.setBigUint64(fl.at, nv, true);
    } else if (kind === 7) {
      for (let k = 1 + rng.int(8); k > 0; k--) b[rng.int(b.length)] = rng.int(256);
    } else if (kind === 8) {
      b = b.slice(0, rng.int(b.length));
    } else {
      // Duplicate a chunk (shifts every offset after it).
      const at = rng.int(b.length);
      const len = rng.int(64);
      const n = new Uint8Array(b.length + len);
      n.set(b.subarray(0, at));
      n.set(b.subarray(at, at + len), at);
      n.set(b.subarray(at), at + len);
      b = n;
    }
  }
  return b;
}

// --- token-wise text mutation ----------------------------------------------------------

const TOKEN =
  /\s+|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|0x[0-9a-fA-F]+|\d+|[A-Za-z_$][\w$]*|[^\s\w]/g;

export function tokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

const EXTRA_TOKENS = [
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  ";",
  ",",
  ".",
  "=",
  "+",
  "-",
  "*",
  "/",
  "<<",
  ">>",
  "!",
  "?",
  ":",
  "0",
  "-1",
  "0xffffffffffffffff",
  "4294967296",
  "1e400",
  "NaN",
  "undefined",
  "null",
  "this",
  "return",
  "if",
  "else",
  "while",
  "for",
  "let",
  "const",
  "function",
  "export",
  "import",
  "as",
  "u64",
  "u32",
  "u8",
  "bigint",
  "number",
  "string",
  '"\\u0000"',
  "`x${1}`",
  "\u202e",
  "\x1b[2J",
  "\0",
];

export function mutateText(
  rng: Rng,
  text: string,
  extra: readonly string[] = EXTRA_TOKENS,
): string {
  let t = tokens(text);
  // Mostly one mutation, so that many cases get past the parser into the later phases.
  const rounds = rng.chance(0.6) ? 1 : 2 + rng.int(3);
  for (let r = 0; r < rounds && t.length; r++) {
    const i = rng.int(t.length);
    switch (rng.int(9)) {
      case 0:
        t.splice(i, 1 + rng.int(3));
        break;
      case 1:
        t.splice(i, 0, t[rng.int(t.length)]!);
        break;
      case 2: {
        const j = rng.int(t.length);
        [t[i], t[j]] = [t[j]!, t[i]!];
        break;
      }
      case 3:
        t[i] = rng.pick(extra);
        break;
      case 4:
        t.splice(i, 0, rng.pick(extra));
        break;
      case 5:
        if (/^\d/.test(t[i]!))
          t[i] = rng.pick([
            "0",
            "1",
            "255",
            "65535",
            "4294967295",
            "18446744073709551615",
            "99999999999999999999999",
            "-0",
          ]);
        else t.splice(i, 0, " ");
        break;
      case 6: {
        // Deep nesting or long repetition (the superlinear cases of issue 16).
        const n = rng.pick([10, 100, 1000, 5000]);
        const open = rng.pick(["(", "[", "{", "!", "-", "- ", "  "]);
        const close = open === "(" ? ")" : open === "[" ? "]" : open === "{" ? "}" : "";
        t.splice(i, 0, open.repeat(n) + (close ? "1" + close.repeat(n) : ""));
        break;
      }
      case 7: {
        // Repeat a line-sized slice.
        const len = 1 + rng.int(20);
        const slice = t.slice(i, i + len);
        const times = rng.pick([2, 10, 200]);
        t.splice(i, 0, ...Array.from({ length: times }, () => slice).flat());
        break;
      }
      default:
        t = t.slice(0, i);
    }
  }
  return t.join("");
}

const YAML_EXTRA = [
  "&a",
  "*a",
  "*nope",
  "<<: *a",
  "!!binary",
  "!!str",
  "? ",
  "- ",
  ": ",
  "{",
  "}",
  "[",
  "]",
  ",",
  "0x10000000000000000",
  "-1",
  "1e999",
  ".nan",
  "~",
  "null",
  '"\\x00"',
  "'",
  "|",
  ">",
  "#",
  "submit",
  "completions",
  "maps",
  "programs",
  "program",
  "ring",
  "sq_entries",
  "cq_entries",
  "globals",
  "target",
  "linux-7.1",
  "iouring-v1",
  "sources",
  "wait_idx",
  "user_data",
  "\t",
  "\n",
];

export function mutateYaml(rng: Rng, text: string): string {
  if (rng.chance(0.1)) {
    // A duplicate key or an alias structure on top of a valid scenario.
    return rng.pick([
      text + "\nring: {}\n",
      "x: &x [1, 2]\n" + text + "\ny: *x\n",
      text.replace(/^submit:/m, "submit: *undefined_anchor\nold_submit:"),
    ]);
  }
  return mutateText(rng, text, YAML_EXTRA);
}

// --- cases -------------------------------------------------------------------------------

export const COMMANDS = [
  "disasm",
  "verify",
  "run",
  "compile",
  "check",
  "asm",
  "scenario",
  "golden",
] as const;
export type FuzzCommand = (typeof COMMANDS)[number];

const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

export function makeCase(rng: Rng, corpus: Corpus, command: FuzzCommand, id: number): FuzzCase {
  switch (command) {
    case "disasm":
    case "verify":
    case "run": {
      const o = rng.pick(corpus.objects);
      const args =
        command === "disasm"
          ? [
              "disasm",
              ...(rng.chance(0.5) ? ["-r"] : []),
              ...(rng.chance(0.5) ? ["-S"] : []),
              "@/x.o",
            ]
          : command === "verify"
            ? ["verify", "@/x.o", ...(rng.chance(0.3) ? ["--json"] : [])]
            : ["run", "@/x.o", ...(rng.chance(0.3) ? ["--json"] : [])];
      return { id, command, files: { "x.o": { b64: b64(mutateObject(rng, o.bytes)) } }, args };
    }
    case "compile":
    case "check": {
      const s = rng.pick(corpus.sources);
      const text = mutateText(rng, s.text);
      return {
        id,
        command,
        files: { "x.bpf.ts": { text } },
        args:
          command === "compile"
            ? [
                "compile",
                "@/x.bpf.ts",
                "-o",
                "@/x.o",
                "--target",
                s.target,
                ...(rng.chance(0.2) ? ["-O0"] : []),
              ]
            : ["check", "@/x.bpf.ts", "--target", s.target],
      };
    }
    case "asm": {
      const s = rng.pick(corpus.asm);
      return {
        id,
        command,
        files: { "x.s": { text: mutateText(rng, s.text) } },
        args: ["asm", "@/x.s", "-o", "@/x.o"],
      };
    }
    case "scenario": {
      const s = rng.pick(corpus.scenarios);
      const o =
        corpus.objects.find(
          (x) => x.dir === s.dir && s.name.startsWith(x.name.replace(/\.o$/, "")),
        ) ?? corpus.objects[0]!;
      return {
        id,
        command,
        files: { "x.o": { b64: b64(o.bytes) }, "s.yaml": { text: mutateYaml(rng, s.text) } },
        args: ["run", "@/x.o", "-s", "@/s.yaml", ...(rng.chance(0.3) ? ["--json"] : [])],
      };
    }
    case "golden": {
      const s =
        corpus.scenarios.find((x) => x.name === "echo.scenario.yaml" && x.dir === "echo") ??
        corpus.scenarios[0]!;
      // With the expected trace, so that the comparison and its diff run too: mostly a mutated
      // scenario; sometimes a damaged expectation (a diff of the real trace), sometimes neither
      // (the test passes).
      const { expected } = corpus.goldenSource;
      const roll = rng.int(10);
      return {
        id,
        command,
        files: {
          "echo.bpf.ts": { text: corpus.goldenSource.text },
          "echo.scenario.yaml": { text: roll < 7 ? mutateYaml(rng, s.text) : s.text },
          "echo.trace.expected": {
            text: roll >= 7 && roll < 9 ? mutateText(rng, expected, []) : expected,
          },
        },
        args: ["test", "@/"],
      };
    }
  }
}

// --- the pool ----------------------------------------------------------------------------

export interface FuzzOptions {
  /** Cases per command. */
  cases: number | Partial<Record<FuzzCommand, number>>;
  commands?: readonly FuzzCommand[];
  seed?: number;
  workers?: number;
  /** A case running longer is a hang (default 10 s). */
  timeoutMs?: number;
  /** A worker above this RSS (or killed by its heap limit) is a memory failure (default 1 GiB). */
  memoryLimitMb?: number;
  /** Where failing inputs are saved (none when absent). */
  saveDir?: string;
  /** Called every `progressEvery` cases. */
  progress?: (s: FuzzStats) => void;
  progressEvery?: number;
  /** Stop starting new cases after this time (ms). */
  budgetMs?: number;
  /** Run only the harness's self-test: one hang, one memory blow-up, one crash. */
  selfTest?: boolean;
}

export interface FuzzFailure {
  kind: "crash" | "hang" | "memory";
  command: string;
  args: string[];
  detail: string;
  saved?: string;
}

export interface FuzzStats {
  cases: number;
  perCommand: Record<string, { cases: number; exits: Record<string, number>; slowestMs: number }>;
  crashes: number;
  hangs: number;
  memory: number;
  peakRssMb: number;
  failures: FuzzFailure[];
  elapsedMs: number;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  busy?: { c: FuzzCase; timer: NodeJS.Timeout; done: (r: FuzzReply | { died: string }) => void };
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzStats> {
  const t0 = performance.now();
  const rng = new Rng(o.seed ?? 1);
  const corpus = buildCorpus();
  const commands = o.commands ?? COMMANDS;
  const timeout = o.timeoutMs ?? 10_000;
  const memMb = o.memoryLimitMb ?? 1024;
  const wanted = (c: FuzzCommand): number =>
    typeof o.cases === "number" ? o.cases : (o.cases[c] ?? 0);
  // Cases are made when a worker is free (a million cases do not fit in memory), commands
  // interleaved so that a time budget cuts every command alike.
  const left = new Map(commands.map((c) => [c, wanted(c)]));
  let id = 0;
  let turn = 0;
  const selfCases: FuzzCase[] = o.selfTest
    ? ["__hang", "__memory", "__crash"].map((command) => ({
        id: id++,
        command,
        files: {},
        args: [],
      }))
    : [];
  const nextCase = (): FuzzCase | undefined => {
    if (selfCases.length) return selfCases.shift();
    if (o.selfTest) return undefined;
    for (let k = 0; k < commands.length; k++) {
      const c = commands[turn++ % commands.length]!;
      if (left.get(c)! > 0) {
        left.set(c, left.get(c)! - 1);
        return makeCase(rng, corpus, c, id++);
      }
    }
    return undefined;
  };
  const stats: FuzzStats = {
    cases: 0,
    perCommand: {},
    crashes: 0,
    hangs: 0,
    memory: 0,
    peakRssMb: 0,
    failures: [],
    elapsedMs: 0,
  };
  const spawnWorker = (): Worker => {
    const child = fork(join(ROOT, "test/hostile/fuzz-worker.ts"), [], {
      execArgv: ["--import", "tsx", `--max-old-space-size=${memMb + 256}`, "--stack-size=984"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      cwd: ROOT,
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
    let readyNow: () => void = () => {};
    const w: Worker = { child, ready: new Promise((res) => (readyNow = res)) };
    child.on("message", (r: FuzzReply | { ready: true }) => {
      if ("ready" in r) return readyNow();
      const b = w.busy;
      if (b && b.c.id === r.id) {
        clearInterval(b.timer);
        w.busy = undefined;
        b.done(r);
      }
    });
    child.on("exit", (code, signal) => {
      const b = w.busy;
      readyNow();
      if (b) {
        clearInterval(b.timer);
        w.busy = undefined;
        b.done({ died: `worker exited (${code ?? signal})\n${stderr}` });
      }
    });
    return w;
  };
  const record = (c: FuzzCase, r: FuzzReply | { died: string } | { hang: true }): void => {
    stats.cases++;
    const pc = (stats.perCommand[c.command] ??= { cases: 0, exits: {}, slowestMs: 0 });
    pc.cases++;
    let failure: FuzzFailure | undefined;
    if ("hang" in r) {
      stats.hangs++;
      pc.exits.hang = (pc.exits.hang ?? 0) + 1;
      failure = {
        kind: "hang",
        command: c.command,
        args: c.args,
        detail: `over ${timeout} ms of CPU time`,
      };
    } else if ("died" in r) {
      const oom = /heap out of memory|Allocation failed|OOM/i.test(r.died);
      if (oom) stats.memory++;
      else stats.crashes++;
      pc.exits.died = (pc.exits.died ?? 0) + 1;
      failure = {
        kind: oom ? "memory" : "crash",
        command: c.command,
        args: c.args,
        detail: r.died,
      };
    } else {
      pc.exits[r.exit] = (pc.exits[r.exit] ?? 0) + 1;
      pc.slowestMs = Math.max(pc.slowestMs, r.ms);
      stats.peakRssMb = Math.max(stats.peakRssMb, r.rss / 2 ** 20);
      if (r.crash) {
        stats.crashes++;
        failure = { kind: "crash", command: c.command, args: c.args, detail: r.crash };
      } else if (r.rss > memMb * 2 ** 20) {
        stats.memory++;
        failure = {
          kind: "memory",
          command: c.command,
          args: c.args,
          detail: `rss ${(r.rss / 2 ** 20).toFixed(0)} MB`,
        };
      }
    }
    if (failure) {
      if (o.saveDir) {
        const d = join(o.saveDir, `${failure.kind}-${c.command}-${c.id}`);
        mkdirSync(d, { recursive: true });
        for (const [n, f] of Object.entries(c.files))
          writeFileSync(join(d, n), f.b64 !== undefined ? Buffer.from(f.b64, "base64") : f.text!);
        writeFileSync(
          join(d, "README"),
          `ioubpf ${c.args.map((a) => a.replace(/^@\//, "./")).join(" ")}\n\n${failure.detail}\n`,
        );
        failure.saved = d;
      }
      if (stats.failures.length < 50) stats.failures.push(failure);
    }
    if (o.progress && stats.cases % (o.progressEvery ?? 1000) === 0) {
      stats.elapsedMs = performance.now() - t0;
      o.progress(stats);
    }
  };
  const workers = Array.from({ length: o.workers ?? 2 }, spawnWorker);
  const runOn = async (
    w: Worker,
    c: FuzzCase,
  ): Promise<FuzzReply | { died: string } | { hang: true }> => {
    await w.ready;
    return new Promise((res) => {
      // A hang is measured in the worker's CPU time (from /proc), so that a machine busy
      // with other work does not make slow cases look like hangs; wall time is the fallback
      // (and a case over 6× the limit in wall time is a hang whatever its CPU time).
      const cpu0 = cpuMs(w.child.pid);
      const wall0 = performance.now();
      const timer = setInterval(() => {
        const cpu = cpuMs(w.child.pid);
        const wall = performance.now() - wall0;
        const used = cpu !== undefined && cpu0 !== undefined ? cpu - cpu0 : wall;
        if (used <= timeout && wall <= 6 * timeout) return;
        clearInterval(timer);
        w.busy = undefined;
        w.child.kill("SIGKILL");
        res({ hang: true });
      }, 500);
      w.busy = { c, timer, done: res };
      w.child.send(c);
    });
  };
  await Promise.all(
    workers.map(async (w0, wi) => {
      let w = w0;
      for (;;) {
        if (o.budgetMs !== undefined && performance.now() - t0 > o.budgetMs) break;
        const c = nextCase();
        if (!c) break;
        const r = await runOn(w, c);
        record(c, r);
        if ("hang" in r || "died" in r) {
          w = spawnWorker();
          workers[wi] = w;
        }
      }
    }),
  );
  for (const w of workers) w.child.disconnect?.();
  stats.elapsedMs = performance.now() - t0;
  return stats;
}

export function formatStats(s: FuzzStats): string {
  const lines = [
    `${s.cases} cases in ${(s.elapsedMs / 1000).toFixed(1)} s: ${s.crashes} crashes, ${s.hangs} hangs, ${s.memory} over the memory limit; peak worker RSS ${s.peakRssMb.toFixed(0)} MB`,
  ];
  for (const [c, p] of Object.entries(s.perCommand))
    lines.push(
      `  ${c.padEnd(8)} ${String(p.cases).padStart(8)} cases  exits ${Object.entries(p.exits)
        .map(([k, v]) => `${k}:${v}`)
        .join(" ")}  slowest ${p.slowestMs.toFixed(0)} ms`,
    );
  for (const f of s.failures.slice(0, 10))
    lines.push(
      `  ${f.kind}: ioubpf ${f.args.join(" ")}${f.saved ? ` (saved in ${f.saved})` : ""}\n    ${f.detail.split("\n").slice(0, 6).join("\n    ")}`,
    );
  return lines.join("\n");
}

/** CPU time (user + system) a process has used, in ms, from /proc; undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name, in ticks.
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}
