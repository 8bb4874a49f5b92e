// Instruction text in both directions, driven by the `template` of each table row: the
// printer fills a template in, the parser matches the input against every template.
// Output equals llvm-objdump-19's (hex immediates by default, decimal for
// --no-print-imm-hex); input is what llvm-mc-19 accepts for BPF.
import type { Instruction } from "./instruction.js";
import { FORMS, formOf, type InstructionForm, type RegStyle } from "./table.js";

export interface InsnFormatOptions {
  /** Immediates and offsets in hex (llvm-objdump's default); false = `--no-print-imm-hex`. */
  hexImm?: boolean;
  /** Register style of `llvm-objdump --mattr=+alu32` (w registers for narrow loads/stores). */
  alu32?: boolean;
  /**
   * Called for pc-relative jumps with the jump distance in 8-byte slots (`off`, or `imm` for
   * gotol); a returned string such as `<LBB0_2>` is appended after one space.
   */
  branchTarget?: (relSlots: number, insn: Instruction) => string | undefined;
  /**
   * Called for `call` (helper, local, kfunc); a returned string such as `<my_func>` is
   * appended after one space. llvm-objdump prints none, so the disassembler passes none.
   */
  callTarget?: (insn: Instruction) => string | undefined;
}

/** The text of a number as llvm-objdump prints immediates. */
export function formatImm(n: number | bigint, hex = true): string {
  const neg = n < 0;
  const abs = neg ? -BigInt(n) : BigInt(n);
  return (neg ? "-" : "") + (hex ? "0x" + abs.toString(16) : abs.toString(10));
}

function reg(n: number, style: RegStyle, alu32: boolean): string {
  const w = style === "w" || (style === "w-alu32" && alu32);
  return (w ? "w" : "r") + n;
}

/** llvm-objdump's text for an instruction, or `<unknown>` when no table row describes it. */
export function formatInstruction(insn: Instruction, options: InsnFormatOptions = {}): string {
  const form = formOf(insn);
  if (!form) return "<unknown>";
  return formatWithForm(form, insn, options);
}

export function formatWithForm(
  form: InstructionForm,
  insn: Instruction,
  options: InsnFormatOptions = {},
): string {
  const hex = options.hexImm ?? true;
  const alu32 = options.alu32 ?? false;
  let rel: number | undefined;
  const text = form.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    switch (name) {
      case "d":
        return reg(insn.dst, form.dstStyle, alu32);
      case "s":
        return reg(insn.src, form.srcStyle, alu32);
      case "D":
        return "r" + insn.dst;
      case "S":
        return "r" + insn.src;
      case "imm":
        return formatImm(insn.imm, hex);
      case "uimm":
        return formatImm(insn.imm >>> 0, hex);
      case "imm64":
        return formatImm(insn.imm64 ?? BigInt(insn.imm), hex);
      case "off":
        return (insn.off < 0 ? "- " : "+ ") + formatImm(Math.abs(insn.off), hex);
      case "tgt":
        rel = insn.off;
        return (insn.off < 0 ? "" : "+") + formatImm(insn.off, hex);
      case "ltgt":
        rel = insn.imm;
        return (insn.imm < 0 ? "" : "+") + formatImm(insn.imm, hex);
      case "srcn":
        return formatImm(insn.src, hex);
      case "ashi":
        return formatImm(insn.imm >>> 16, hex);
      case "aslo":
        return formatImm(insn.imm & 0xffff, hex);
      default:
        throw new Error(`bad placeholder {${name}} in template of ${form.name}`);
    }
  });
  const note =
    rel !== undefined
      ? options.branchTarget?.(rel, insn)
      : form.sem.kind === "call"
        ? options.callTarget?.(insn)
        : undefined;
  return note ? `${text} ${note}` : text;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** A symbol operand the assembler must resolve. */
export interface SymbolRef {
  kind: "branch" | "call" | "imm64";
  symbol: string;
  addend?: number;
}

export type ParseResult =
  | { insn: Instruction; form: InstructionForm; ref?: SymbolRef }
  | { error: string; /** 1-based column */ column: number; length: number };

interface Token {
  kind: "ident" | "num" | "punct" | "ph";
  text: string;
  /** 0-based start in the line. */
  pos: number;
}

const PUNCT = [
  "<<=",
  ">>=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "|=",
  "&=",
  "^=",
  "==",
  "!=",
  ">=",
  "<=",
];
const SINGLE = "=<>+-*/%|&^()[],!";

function lex(text: string, template = false): Token[] | { error: string; pos: number } {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    const start = i;
    if (template && c === "{") {
      const end = text.indexOf("}", i);
      out.push({ kind: "ph", text: text.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_.$]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_.$]/.test(text[i]!)) {
        // `s>=`, `s>>=`, `s/=`, `s%=`, `s<`: the `s` is a token of its own.
        i++;
      }
      out.push({ kind: "ident", text: text.slice(start, i), pos: start });
      continue;
    }
    // A character constant ('a', '\n') is a number, as in llvm-mc expressions.
    const ch = /^'(\\[\\'"ntr0]|[^\\'])'/.exec(text.slice(i));
    if (ch) {
      out.push({ kind: "num", text: ch[0], pos: start });
      i += ch[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9A-Za-z_]/.test(text[i]!)) i++;
      out.push({ kind: "num", text: text.slice(start, i), pos: start });
      continue;
    }
    const p = PUNCT.find((op) => text.startsWith(op, i));
    if (p) {
      out.push({ kind: "punct", text: p, pos: start });
      i += p.length;
      continue;
    }
    if (SINGLE.includes(c)) {
      out.push({ kind: "punct", text: c, pos: start });
      i++;
      continue;
    }
    return { error: `unexpected character '${c}'`, pos: i };
  }
  return out;
}

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, "0": 0, "\\": 92, "'": 39, '"': 34 };

function numberValue(text: string): bigint | undefined {
  if (text.startsWith("'")) {
    const body = text.slice(1, -1);
    return BigInt(body.length === 2 ? ESCAPES[body[1]!]! : body.charCodeAt(0));
  }
  const t = text.toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return BigInt(t);
  if (/^0b[01]+$/.test(t)) return BigInt(t);
  if (/^0[0-7]+$/.test(t)) return BigInt("0o" + t.slice(1));
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  return undefined;
}

const REG_RE = /^([rw])([0-9]|1[01])$/i;

interface Compiled {
  form: InstructionForm;
  tokens: Token[];
}

const COMPILED: Compiled[] = FORMS.map((form) => ({
  form,
  tokens: lex(form.template, true) as Token[],
}));

// Candidate rows by their first two tokens, so a line is matched against a handful of
// templates instead of all of them. A register (placeholder or literal r0/w0) keys as REG, a
// placeholder in second place as *, a missing second token as "".
function tokenKey(t: Token | undefined, first: boolean): string {
  if (!t) return "";
  if (t.kind === "ph") return first ? "REG" : "*";
  if (t.kind === "ident" && REG_RE.test(t.text)) return "REG";
  return t.text;
}
const BUCKETS = new Map<string, Compiled[]>();
for (const c of COMPILED) {
  const key = tokenKey(c.tokens[0], true) + " " + tokenKey(c.tokens[1], false);
  const list = BUCKETS.get(key) ?? [];
  list.push(c);
  BUCKETS.set(key, list);
}

function candidates(toks: Token[]): Compiled[] {
  const k1 = toks[0]!.kind === "ident" && REG_RE.test(toks[0]!.text) ? "REG" : toks[0]!.text;
  const exact = BUCKETS.get(k1 + " " + (toks[1] ? toks[1].text : "")) ?? [];
  const any = BUCKETS.get(k1 + " *") ?? [];
  if (exact.length === 0 || any.length === 0) return exact.length ? exact : any;
  // Keep table order: it decides between rows with the same text (call vs call_local).
  const set = new Set([...exact, ...any]);
  return COMPILED.filter((c) => set.has(c));
}

interface Failure {
  index: number;
  message: string;
}

const I32_MIN = -(2n ** 31n);
const U32_MAX = 2n ** 32n - 1n;

function tryForm(c: Compiled, toks: Token[]): { insn: Instruction; ref?: SymbolRef } | Failure {
  const vals: Partial<Record<"dst" | "src" | "off" | "imm", number>> = {};
  let imm64: bigint | undefined;
  let ref: SymbolRef | undefined;
  let k = 0;
  const fail = (message: string, index = k): Failure => ({ index, message });
  const set = (
    field: "dst" | "src" | "off" | "imm",
    v: number,
    index: number,
  ): Failure | undefined => {
    if (vals[field] !== undefined && vals[field] !== v) {
      return fail(
        field === "dst" || field === "src"
          ? "the two registers of this instruction must be the same"
          : "conflicting operands",
        index,
      );
    }
    vals[field] = v;
    return undefined;
  };
  /** A constant expression `n (+|-) n ...` (immediates only, as llvm-mc folds them). */
  const constant = (): { value: bigint } | Failure => {
    const first = signedNumber(false);
    if ("index" in first) return first;
    let value = first.value;
    while (
      toks[k]?.kind === "punct" &&
      (toks[k]!.text === "+" || toks[k]!.text === "-") &&
      toks[k + 1]?.kind === "num"
    ) {
      const neg = toks[k]!.text === "-";
      const v = numberValue(toks[k + 1]!.text);
      if (v === undefined) return fail(`invalid number '${toks[k + 1]!.text}'`, k + 1);
      value = neg ? value - v : value + v;
      k += 2;
    }
    return { value };
  };
  /** An optionally signed number at toks[k]; advances k. */
  const signedNumber = (requireSign: boolean): { value: bigint } | Failure => {
    let neg = false;
    const t = toks[k];
    if (t?.kind === "punct" && (t.text === "+" || t.text === "-")) {
      neg = t.text === "-";
      k++;
    } else if (requireSign) {
      return fail(t ? "expected '+' or '-'" : "unexpected end of instruction");
    }
    const n = toks[k];
    if (!n) return fail("unexpected end of instruction");
    if (n.kind !== "num") return fail("expected a number");
    const v = numberValue(n.text);
    if (v === undefined) return fail(`invalid number '${n.text}'`);
    k++;
    return { value: neg ? -v : v };
  };
  const symbolOperand = (): { symbol: string; addend: bigint } | undefined => {
    const t = toks[k];
    if (t?.kind !== "ident" || REG_RE.test(t.text)) return undefined;
    k++;
    let addend = 0n;
    const s = toks[k];
    if (s?.kind === "punct" && (s.text === "+" || s.text === "-") && toks[k + 1]?.kind === "num") {
      const v = numberValue(toks[k + 1]!.text);
      if (v !== undefined) {
        addend = s.text === "-" ? -v : v;
        k += 2;
      }
    }
    return { symbol: t.text, addend };
  };

  for (const tt of c.tokens) {
    const t = toks[k];
    if (tt.kind !== "ph") {
      if (!t) return fail("unexpected end of instruction");
      const same =
        tt.kind === "ident" && REG_RE.test(tt.text)
          ? t.text.toLowerCase() === tt.text
          : t.text === tt.text;
      if (!same)
        return fail(
          t.kind === "ident" && tt.kind === "ident"
            ? "invalid register/token name"
            : "unexpected token",
        );
      k++;
      continue;
    }
    const start = k;
    switch (tt.text) {
      case "d":
      case "s":
      case "D":
      case "S": {
        if (!t) return fail("unexpected end of instruction");
        const m = t.kind === "ident" ? REG_RE.exec(t.text) : null;
        if (!m)
          return fail(t.kind === "ident" ? "invalid register/token name" : "expected a register");
        const isDst = tt.text === "d" || tt.text === "D";
        const style: RegStyle =
          tt.text === "D" || tt.text === "S" ? "r" : isDst ? c.form.dstStyle : c.form.srcStyle;
        const w = m[1]!.toLowerCase() === "w";
        if ((style === "r" && w) || (style === "w" && !w))
          return fail("invalid operand for instruction");
        const e = set(isDst ? "dst" : "src", Number(m[2]), k);
        if (e) return e;
        k++;
        break;
      }
      case "imm":
      case "uimm": {
        if (c.form.sem.kind === "call") {
          const sym = symbolOperand();
          if (sym) {
            if (sym.addend !== 0n) return fail("a call target cannot have an addend", start);
            ref = { kind: "call", symbol: sym.symbol };
            const e = set("src", 1, start) ?? set("imm", -1, start);
            if (e) return e;
            break;
          }
        }
        const n = constant();
        if ("index" in n) return n;
        if (n.value < I32_MIN || n.value > U32_MAX)
          return fail("immediate does not fit in 32 bits", start);
        const e = set("imm", Number(BigInt.asIntN(32, n.value)), start);
        if (e) return e;
        break;
      }
      case "imm64": {
        const sym = symbolOperand();
        if (sym) {
          ref = {
            kind: "imm64",
            symbol: sym.symbol,
            ...(sym.addend !== 0n ? { addend: Number(sym.addend) } : {}),
          };
          imm64 = BigInt.asIntN(64, sym.addend);
          break;
        }
        const n = constant();
        if ("index" in n) return n;
        if (n.value < -(2n ** 63n) || n.value > 2n ** 64n - 1n)
          return fail("immediate does not fit in 64 bits", start);
        imm64 = BigInt.asIntN(64, n.value);
        break;
      }
      case "off": {
        const n = signedNumber(true);
        if ("index" in n) return n;
        if (n.value < -32768n || n.value > 32767n)
          return fail("operand is not a 16-bit signed integer", start);
        const e = set("off", Number(n.value), start);
        if (e) return e;
        break;
      }
      case "tgt":
      case "ltgt": {
        const field = tt.text === "tgt" ? "off" : "imm";
        const sym = symbolOperand();
        if (sym) {
          if (sym.addend !== 0n) return fail("a branch target cannot have an addend", start);
          ref = { kind: "branch", symbol: sym.symbol };
          const e = set(field, 0, start);
          if (e) return e;
          break;
        }
        const n = signedNumber(false);
        if ("index" in n) return n;
        const [lo, hi] = field === "off" ? [-32768n, 32767n] : [I32_MIN, 2n ** 31n - 1n];
        if (n.value < lo || n.value > hi)
          return fail(
            `operand is not an identifier or ${field === "off" ? 16 : 32}-bit signed integer`,
            start,
          );
        const e = set(field, Number(n.value), start);
        if (e) return e;
        break;
      }
      case "srcn": {
        const n = signedNumber(false);
        if ("index" in n) return n;
        if (n.value < 0n || n.value > 15n) return fail("pseudo source must be 0..15", start);
        const e = set("src", Number(n.value), start);
        if (e) return e;
        break;
      }
      case "ashi":
      case "aslo": {
        const n = signedNumber(false);
        if ("index" in n) return n;
        if (n.value < 0n || n.value > 0xffffn) return fail("address space must be 0..65535", start);
        const prev = vals.imm ?? 0;
        vals.imm =
          tt.text === "ashi"
            ? (prev & 0xffff) | (Number(n.value) << 16)
            : (prev & ~0xffff) | Number(n.value);
        break;
      }
      default:
        throw new Error(`bad placeholder {${tt.text}} in template of ${c.form.name}`);
    }
  }
  if (k < toks.length) return fail("unexpected token");
  for (const [field, v] of Object.entries(c.form.match) as [
    "dst" | "src" | "off" | "imm",
    number,
  ][]) {
    if (vals[field] !== undefined && vals[field] !== v)
      return fail("operand selects a different instruction", 0);
    vals[field] = v;
  }
  const insn: Instruction = {
    opcode: c.form.opcode,
    dst: vals.dst ?? 0,
    src: vals.src ?? 0,
    off: vals.off ?? 0,
    imm: vals.imm ?? 0,
  };
  if (c.form.size === 16) {
    // ld_pseudo has no text for the second slot's imm: llvm-mc writes 0 there.
    insn.imm64 = imm64 ?? BigInt(insn.imm >>> 0);
    insn.imm = Number(BigInt.asIntN(32, insn.imm64));
  }
  return ref ? { insn, ref } : { insn };
}

const GENERIC = new Set([
  "unexpected token",
  "unexpected end of instruction",
  "expected a number",
  "expected a register",
  "expected '+' or '-'",
  "invalid register/token name",
]);

/**
 * Which failure to report: the form that matched furthest; at equal distance one about a
 * specific operand beats "unexpected token"; a value out of range counts as one token further
 * (so `r1 = 0x1ffffffff` reports the range, not a missing `ll`).
 */
function rank(f: Failure): number {
  if (GENERIC.has(f.message)) return f.index * 2;
  return (/does not fit|-bit signed|must be 0\.\./.test(f.message) ? f.index + 1 : f.index) * 2 + 1;
}

/**
 * Parses one instruction (no label, no comment). Also accepts the extensions llvm-mc-19 lacks
 * (load_acquire, store_release). On failure, returns the message for the token where the
 * best-matching form stopped matching.
 */
export function parseInstruction(text: string): ParseResult {
  const toks = lex(text);
  if (!Array.isArray(toks)) return { error: toks.error, column: toks.pos + 1, length: 1 };
  if (toks.length === 0) return { error: "expected an instruction", column: 1, length: 1 };
  for (const c of candidates(toks)) {
    const r = tryForm(c, toks);
    if ("insn" in r) return { ...r, form: c.form };
  }
  // No candidate matched: try every row to find the most helpful message.
  let best: Failure | undefined;
  for (const c of COMPILED) {
    const r = tryForm(c, toks);
    if ("insn" in r) return { ...r, form: c.form };
    if (!best || rank(r) > rank(best)) best = r;
  }
  const failure = best ?? { index: 0, message: "unexpected token" };
  const tok = toks[failure.index];
  if (!tok) return { error: failure.message, column: text.trimEnd().length + 1, length: 1 };
  return { error: failure.message, column: tok.pos + 1, length: Math.max(1, tok.text.length) };
}
