// Lexical layer of the assembler: splits llvm-mc BPF assembly into statements (comments
// `#`, `//`, `/* */`; separators newline and `;`), tokenizes directive operands and parses
// the expressions they contain. Offsets are kept as file offsets so every diagnostic points
// at the exact characters.

export interface Statement {
  /** File offset of `text[0]`. */
  start: number;
  /** The statement with comments blanked out, untrimmed. */
  text: string;
}

export interface LexProblem {
  message: string;
  start: number;
  end: number;
  kind: "string" | "comment";
}

/**
 * Splits a file into statements. Comments are replaced by spaces (offsets stay valid);
 * strings are skipped over so `#` or `;` inside them is kept.
 */
export function splitStatements(text: string): { statements: Statement[]; problems: LexProblem[] } {
  const statements: Statement[] = [];
  const problems: LexProblem[] = [];
  const clean = text.split("");
  let stmtStart = 0;
  let i = 0;
  const n = text.length;
  const flush = (end: number) => {
    statements.push({ start: stmtStart, text: clean.slice(stmtStart, end).join("") });
  };
  while (i < n) {
    const ch = text[i]!;
    if (ch === '"') {
      const s = i;
      i++;
      while (i < n && text[i] !== '"' && text[i] !== "\n") {
        if (text[i] === "\\" && i + 1 < n && text[i + 1] !== "\n") i++;
        i++;
      }
      if (i >= n || text[i] === "\n") {
        problems.push({ message: "unterminated string", start: s, end: i, kind: "string" });
        continue;
      }
      i++;
      continue;
    }
    if (ch === "#" || (ch === "/" && text[i + 1] === "/")) {
      while (i < n && text[i] !== "\n" && text[i] !== "\r") clean[i++] = " ";
      continue;
    }
    if (ch === "/" && text[i + 1] === "*") {
      const s = i;
      const close = text.indexOf("*/", i + 2);
      const end = close < 0 ? n : close + 2;
      // Keep line breaks so line numbers of later statements stay right.
      for (let k = i; k < end; k++) if (text[k] !== "\n" && text[k] !== "\r") clean[k] = " ";
      if (close < 0)
        problems.push({
          message: "unterminated block comment",
          start: s,
          end: s + 2,
          kind: "comment",
        });
      i = end;
      continue;
    }
    if (ch === "\n" || ch === "\r" || ch === ";") {
      flush(i);
      i++;
      stmtStart = i;
      continue;
    }
    i++;
  }
  flush(n);
  return { statements, problems };
}

// ---------------------------------------------------------------------------------------
// Tokens of directive operands.

export type TokenKind = "ident" | "number" | "string" | "punct" | "bad";

export interface Token {
  kind: TokenKind;
  text: string;
  /** File offsets. */
  start: number;
  end: number;
  /** For numbers. */
  value?: bigint;
  /** For strings: the decoded bytes. */
  bytes?: number[];
  /** For numbers/strings that failed to decode. */
  error?: string;
}

export const IDENT_START = /[A-Za-z_.$]/;
export const IDENT_PART = /[A-Za-z0-9_.$@]/;
const PUNCT2 = ["<<", ">>", "==", "!=", "<=", ">=", "&&", "||"];

export function tokenize(text: string, base: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v") {
      i++;
      continue;
    }
    const s = i;
    if (IDENT_START.test(ch)) {
      i++;
      while (i < text.length && IDENT_PART.test(text[i]!)) i++;
      out.push({ kind: "ident", text: text.slice(s, i), start: base + s, end: base + i });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      i++;
      while (i < text.length && /[0-9A-Za-z_]/.test(text[i]!)) i++;
      const raw = text.slice(s, i);
      const tok: Token = { kind: "number", text: raw, start: base + s, end: base + i };
      const v = parseNumber(raw);
      if (v === undefined) tok.error = `invalid number '${raw}'`;
      else tok.value = v;
      out.push(tok);
      continue;
    }
    if (ch === "'") {
      // Character literal 'a' or '\n'.
      let j = i + 1;
      let code: number | undefined;
      if (text[j] === "\\") {
        const e = decodeEscape(text, j);
        code = e?.byte;
        j = e ? e.next : j + 1;
      } else if (j < text.length) {
        code = text.charCodeAt(j);
        j++;
      }
      const ok = text[j] === "'" && code !== undefined;
      i = ok ? j + 1 : Math.max(j, i + 1);
      out.push({
        kind: "number",
        text: text.slice(s, i),
        start: base + s,
        end: base + i,
        ...(ok ? { value: BigInt(code!) } : { error: "invalid character literal" }),
      });
      continue;
    }
    if (ch === '"') {
      const bytes: number[] = [];
      let j = i + 1;
      let error: string | undefined;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") {
          const e = decodeEscape(text, j);
          if (!e) {
            error ??= "invalid escape sequence";
            j += 2;
            continue;
          }
          bytes.push(e.byte);
          j = e.next;
          continue;
        }
        const cp = text.codePointAt(j)!;
        for (const b of Buffer.from(String.fromCodePoint(cp), "utf8")) bytes.push(b);
        j += cp > 0xffff ? 2 : 1;
      }
      if (j >= text.length) error ??= "unterminated string";
      i = Math.min(j + 1, text.length);
      out.push({
        kind: "string",
        text: text.slice(s, i),
        start: base + s,
        end: base + i,
        bytes,
        ...(error ? { error } : {}),
      });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      out.push({ kind: "punct", text: two, start: base + s, end: base + s + 2 });
      i += 2;
      continue;
    }
    if ("+-*/%()~&|^!,@<>=:[]{}".includes(ch)) {
      out.push({ kind: "punct", text: ch, start: base + s, end: base + s + 1 });
      i++;
      continue;
    }
    // Anything else (non-ASCII, control characters): one bad token per code point.
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    out.push({ kind: "bad", text: text.slice(s, i), start: base + s, end: base + i });
  }
  return out;
}

/** Integer literal as llvm-mc reads it: 0x.., 0b.., leading-0 octal, decimal; `_` is not allowed. */
export function parseNumber(raw: string): bigint | undefined {
  let m: RegExpMatchArray | null;
  if ((m = raw.match(/^0[xX]([0-9a-fA-F]+)$/))) return BigInt("0x" + m[1]);
  if ((m = raw.match(/^0[bB]([01]+)$/))) return BigInt("0b" + m[1]);
  if ((m = raw.match(/^0([0-7]+)$/))) return BigInt("0o" + m[1]);
  if (/^[0-9]+$/.test(raw)) return BigInt(raw);
  return undefined;
}

function decodeEscape(text: string, at: number): { byte: number; next: number } | undefined {
  const c = text[at + 1];
  if (c === undefined) return undefined;
  const simple: Record<string, number> = {
    n: 10,
    t: 9,
    r: 13,
    b: 8,
    f: 12,
    v: 11,
    a: 7,
    "\\": 92,
    '"': 34,
    "'": 39,
  };
  if (c in simple) return { byte: simple[c]!, next: at + 2 };
  if (c === "x" || c === "X") {
    const m = text.slice(at + 2).match(/^[0-9a-fA-F]+/);
    if (!m) return undefined;
    return { byte: Number(BigInt("0x" + m[0]) & 0xffn), next: at + 2 + m[0].length };
  }
  if (/[0-7]/.test(c)) {
    const m = text.slice(at + 1).match(/^[0-7]{1,3}/)!;
    return { byte: parseInt(m[0], 8) & 0xff, next: at + 1 + m[0].length };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Expressions.

export type Expr =
  | { kind: "num"; value: bigint; start: number; end: number }
  | { kind: "sym"; name: string; start: number; end: number }
  | { kind: "unary"; op: string; arg: Expr; start: number; end: number }
  | { kind: "binary"; op: string; left: Expr; right: Expr; start: number; end: number };

export interface ParseError {
  message: string;
  start: number;
  end: number;
}

const BINARY_LEVELS: string[][] = [
  ["||"],
  ["&&"],
  ["|"],
  ["^"],
  ["&"],
  ["==", "!=", "<", ">", "<=", ">="],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];

/** A cursor over a token list with expression parsing; errors are thrown as ParseError values. */
export class TokenCursor {
  pos = 0;
  private depth = 0;
  constructor(
    readonly tokens: Token[],
    /** File offset used for "expected … at end of line" errors. */
    readonly endOffset: number,
  ) {}

  peek(k = 0): Token | undefined {
    return this.tokens[this.pos + k];
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  next(): Token | undefined {
    return this.tokens[this.pos++];
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t?.kind === "punct" && t.text === text;
  }
  eatPunct(text: string): boolean {
    if (this.isPunct(text)) {
      this.pos++;
      return true;
    }
    return false;
  }
  fail(message: string, tok = this.peek()): never {
    const err: ParseError = tok
      ? { message, start: tok.start, end: tok.end }
      : { message, start: this.endOffset, end: this.endOffset + 1 };
    throw err;
  }
  expectPunct(text: string, what = `'${text}'`): Token {
    if (!this.isPunct(text)) this.fail(`expected ${what}`);
    return this.next()!;
  }
  expectEnd(): void {
    if (!this.atEnd()) this.fail("unexpected token at end of statement");
  }

  parseExpr(level = 0): Expr {
    if (level >= BINARY_LEVELS.length) return this.parseUnary();
    let left = this.parseExpr(level + 1);
    for (;;) {
      const t = this.peek();
      if (t?.kind !== "punct" || !BINARY_LEVELS[level]!.includes(t.text)) return left;
      this.pos++;
      const right = this.parseExpr(level + 1);
      left = { kind: "binary", op: t.text, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(depth = 0): Expr {
    const t = this.peek();
    if (!t) this.fail("expected an expression");
    if (depth > 200) this.fail("expression nested too deeply", t);
    if (
      t.kind === "punct" &&
      (t.text === "-" || t.text === "~" || t.text === "+" || t.text === "!")
    ) {
      this.pos++;
      const arg = this.parseUnary(depth + 1);
      return { kind: "unary", op: t.text, arg, start: t.start, end: arg.end };
    }
    if (t.kind === "number") {
      this.pos++;
      if (t.error !== undefined || t.value === undefined) this.fail(t.error ?? "invalid number", t);
      return { kind: "num", value: t.value, start: t.start, end: t.end };
    }
    if (t.kind === "ident") {
      this.pos++;
      return { kind: "sym", name: t.text, start: t.start, end: t.end };
    }
    if (t.kind === "string" && t.bytes && t.text.length > 1) {
      // A quoted symbol name, as in `.globl "a/b"`.
      this.pos++;
      return { kind: "sym", name: t.text.slice(1, -1), start: t.start, end: t.end };
    }
    if (t.kind === "punct" && t.text === "(") {
      this.pos++;
      if (++this.depth > 200) this.fail("expression nested too deeply", t);
      const inner = this.parseExpr();
      this.expectPunct(")");
      this.depth--;
      return inner;
    }
    this.fail(`unexpected '${t.text}' in expression`, t);
  }
}
