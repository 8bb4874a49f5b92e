// The assembler: llvm-mc-19 BPF assembly → ObjFile (→ ELF bytes through src/elf).
// Pass 1 reads statements into per-section item lists (instructions are parsed by the ISA's
// text parser, so the table stays the one source of truth for syntax); layout then gives
// every label an offset (iterated because .uleb128 sizes depend on label values); pass 2
// evaluates expressions, resolves branches and calls, and records relocations with the
// choices llvm-mc-19 makes (docs/asm.md, "Relocations").
import { DiagnosticBag, SourceFile, type Diagnostic } from "../diagnostics/index.js";
import { encodeInto, instructionSize } from "../isa/encode.js";
import { parseInstruction, type SymbolRef } from "../isa/text.js";
import type { Instruction } from "../isa/instruction.js";
import { planSymbols, tryWriteElf } from "../elf/writer.js";
import {
  R_BPF,
  SHF,
  SHN,
  SHT,
  STB,
  STT,
  STV,
  type ObjFile,
  type ObjRelocation,
  type ObjSection,
  type ObjSymbol,
} from "../elf/types.js";
import { AsmCodes } from "./codes.js";
import {
  type Expr,
  type ParseError,
  type Statement,
  type Token,
  TokenCursor,
  IDENT_PART,
  IDENT_START,
  splitStatements,
  tokenize,
} from "./syntax.js";

export interface AssembleResult {
  object?: ObjFile;
  bytes?: Uint8Array;
  diagnostics: Diagnostic[];
}

export interface AssembleOptions {
  /** Error limit of the diagnostic bag (default 100). */
  limit?: number;
}

// ---------------------------------------------------------------------------------------
// Model

interface Loc {
  start: number;
  end: number;
}

interface SymbolInfo {
  name: string;
  /** `.L…` names: assembler-local, never in the symbol table (as llvm-mc). */
  temporary: boolean;
  section?: SectionState;
  /** Item index the label precedes, resolved to an offset by layout. */
  itemIndex?: number;
  offset: number;
  /** `.set`/`.equ` value. */
  absolute?: Expr;
  /** A global `.comm` symbol (SHN_COMMON, value = alignment). */
  common?: { size: number; align: number };
  bind: number;
  bindExplicit: boolean;
  type: number;
  visibility: number;
  sizeExpr?: Expr;
  defLoc?: Loc;
  firstLoc: Loc;
  /** Used by a relocation (so an undefined one becomes an extern). */
  referenced: boolean;
  order: number;
}

type Item =
  | { kind: "insn"; insn: Instruction; ref?: SymbolRef; refLoc?: Loc; loc: Loc; size: number }
  | { kind: "data"; size: 1 | 2 | 4 | 8; expr: Expr }
  | { kind: "bytes"; bytes: Uint8Array; loc: Loc }
  | { kind: "leb"; signed: boolean; expr: Expr; size: number }
  | { kind: "align"; pow: number; fill: number; fillSize: number; maxSkip?: number; size: number }
  | { kind: "fill"; count: number; fill: number; loc: Loc }
  /** DWARF line-program row advance: line delta plus the address distance between labels. */
  | { kind: "lineadv"; lineDelta: number; from: Expr; to: Expr; size: number }
  /** DWARF end of sequence: advance to `to` (the section end), then DW_LNE_end_sequence. */
  | { kind: "lineend"; from: Expr; to: Expr; size: number };

interface SectionState {
  name: string;
  type: number;
  flags: number;
  entsize?: number;
  align: number;
  items: Item[];
  offsets: number[];
  size: number;
  order: number;
}

type Value = { sym?: SymbolInfo; addend: bigint };

const SECTION_TYPES: Record<string, number> = {
  progbits: SHT.PROGBITS,
  nobits: SHT.NOBITS,
  note: 7,
  init_array: 14,
  fini_array: 15,
  preinit_array: 16,
  llvm_addrsig: SHT.LLVM_ADDRSIG,
};

const SECTION_FLAGS: Record<string, number> = {
  a: SHF.ALLOC,
  w: SHF.WRITE,
  x: SHF.EXECINSTR,
  M: SHF.MERGE,
  S: SHF.STRINGS,
  e: SHF.EXCLUDE,
  // G (group), T (TLS), o (link order), R (retain) need more than BPF objects use.
};

/** Directives accepted and ignored: they only feed DWARF line/frame tables (docs/asm.md). */
const IGNORED = new Set([
  ".ident",
  ".cfi_def_cfa",
  ".cfi_def_cfa_offset",
  ".cfi_def_cfa_register",
  ".cfi_offset",
  ".cfi_restore",
  ".cfi_undefined",
  ".cfi_same_value",
  ".cfi_register",
  ".cfi_adjust_cfa_offset",
  ".cfi_rel_offset",
  ".cfi_escape",
  ".cfi_remember_state",
  ".cfi_restore_state",
  ".cfi_signal_frame",
  ".cfi_return_column",
  ".cfi_personality",
  ".cfi_lsda",
  ".loc_label",
  ".file_sym",
]);

const DATA_SIZES: Record<string, 1 | 2 | 4 | 8> = {
  ".byte": 1,
  ".b8": 1,
  ".short": 2,
  ".hword": 2,
  ".2byte": 2,
  ".half": 2,
  ".long": 4,
  ".int": 4,
  ".4byte": 4,
  ".word": 4,
  ".quad": 8,
  ".8byte": 8,
  ".dword": 8,
};

const MAX_SECTION_BYTES = 1 << 28;

// ---------------------------------------------------------------------------------------

class Assembler {
  readonly bag: DiagnosticBag;
  readonly sections: SectionState[] = [];
  readonly sectionByName = new Map<string, SectionState>();
  readonly symbols = new Map<string, SymbolInfo>();
  current: SectionState;
  private sectionStack: SectionState[] = [];
  private previous: SectionState | undefined;
  fileName: string | undefined;
  addrsig = false;
  /** `.cfi_sections .debug_frame` seen: build `.debug_frame` from the procedures. */
  private debugFrame = false;
  private frames: { start: string; end: string }[] = [];
  private openFrame: { start: string; section: SectionState; loc: Loc } | undefined;
  private cfiCount = 0;
  /** `.file N …` entries of the DWARF line table. */
  private dwarfFiles = new Map<
    number,
    { dir?: string; name: string; md5?: Uint8Array; loc: Loc }
  >();
  private pendingLoc: LineRow | undefined;
  /** `is_stmt` carries over from one .loc to the next (as in llvm-mc). */
  private isStmt = true;
  private lineRows: (LineRow & { section: SectionState; label: string })[] = [];
  /** Offset where pass 1 stopped because the error limit was reached. */
  stoppedAt: number | undefined;
  readonly addrsigSyms: SymbolInfo[] = [];
  private dotCount = 0;

  constructor(
    readonly src: SourceFile,
    limit: number,
  ) {
    this.bag = new DiagnosticBag(limit);
    // llvm-mc starts every object in `.text` (4-byte aligned unless raised).
    this.current = this.getSection(".text", SHT.PROGBITS, SHF.ALLOC | SHF.EXECINSTR, undefined, 4);
  }

  // -- diagnostics --

  error(code: string, message: string, loc: Loc, extra: Partial<Diagnostic> = {}): void {
    this.bag.error(code, message, this.src.range(loc.start, loc.end), extra);
  }
  warn(code: string, message: string, loc: Loc): void {
    this.bag.warning(code, message, this.src.range(loc.start, loc.end));
  }

  // -- sections and symbols --

  getSection(
    name: string,
    type: number,
    flags: number,
    entsize: number | undefined,
    align = 1,
  ): SectionState {
    let s = this.sectionByName.get(name);
    if (!s) {
      s = {
        name,
        type,
        flags,
        align,
        items: [],
        offsets: [],
        size: 0,
        order: this.sections.length,
      };
      if (entsize !== undefined) s.entsize = entsize;
      this.sections.push(s);
      this.sectionByName.set(name, s);
    }
    return s;
  }

  symbol(name: string, loc: Loc): SymbolInfo {
    let s = this.symbols.get(name);
    if (!s) {
      s = {
        name,
        temporary: name.startsWith(".L"),
        offset: 0,
        bind: STB.LOCAL,
        bindExplicit: false,
        type: STT.NOTYPE,
        visibility: STV.DEFAULT,
        firstLoc: loc,
        referenced: false,
        order: this.symbols.size,
      };
      this.symbols.set(name, s);
    }
    return s;
  }

  defineLabel(name: string, loc: Loc): void {
    const s = this.symbol(name, loc);
    if (s.section || s.absolute) {
      this.error(AsmCodes.duplicateSymbol, `symbol '${name}' is already defined`, loc, {
        related: s.defLoc
          ? [
              {
                message: "previous definition is here",
                range: this.src.range(s.defLoc.start, s.defLoc.end),
              },
            ]
          : [],
      });
      return;
    }
    s.section = this.current;
    s.itemIndex = this.current.items.length;
    s.defLoc = loc;
  }

  /** Names every symbol an expression mentions, so they exist in first-mention order. */
  touch(e: Expr): void {
    if (e.kind === "sym") this.symbol(e.name, e);
    else if (e.kind === "unary") this.touch(e.arg);
    else if (e.kind === "binary") {
      this.touch(e.left);
      this.touch(e.right);
    }
  }

  /** Rewrites `.` (the location counter) into a fresh temporary label at the current item. */
  private bindDot(e: Expr): Expr {
    if (e.kind === "sym" && e.name === ".") {
      const name = `.Ltmp.dot${this.dotCount++}`;
      this.defineLabel(name, e);
      return { ...e, name };
    }
    if (e.kind === "unary") return { ...e, arg: this.bindDot(e.arg) };
    if (e.kind === "binary")
      return { ...e, left: this.bindDot(e.left), right: this.bindDot(e.right) };
    return e;
  }

  expr(c: TokenCursor): Expr {
    const e = this.bindDot(c.parseExpr());
    this.touch(e);
    return e;
  }

  // -- pass 1 --

  run(): void {
    const { statements, problems } = splitStatements(this.src.text);
    for (const p of problems)
      this.error(
        p.kind === "string" ? AsmCodes.badString : AsmCodes.unterminatedComment,
        p.message,
        p,
      );
    let pi = 0;
    for (const st of statements) {
      if (this.bag.full) {
        this.stoppedAt = st.start;
        break;
      }
      // A statement with an unterminated string was reported by the splitter; parsing it
      // again would only repeat that error in other words.
      while (pi < problems.length && problems[pi]!.start < st.start) pi++;
      if (pi < problems.length && problems[pi]!.start < st.start + st.text.length) continue;
      this.statement(st);
    }
    if (this.openFrame) this.error(AsmCodes.syntax, "missing .cfi_endproc", this.openFrame.loc);
    if (this.debugFrame && this.frames.length > 0) this.buildDebugFrame();
    if (this.dwarfFiles.size > 0 || this.lineRows.length > 0) this.buildDebugLine();
    // A section's name used as a symbol means its start (clang's DWARF uses `.long
    // .debug_abbrev`); llvm-mc relocates against the section symbol and lists no new symbol.
    for (const sym of this.symbols.values()) {
      const sec = this.sectionByName.get(sym.name);
      if (sec && !sym.section && !sym.absolute && sym.bind === STB.LOCAL) {
        sym.section = sec;
        sym.itemIndex = 0;
        sym.temporary = true;
      }
    }
  }

  private statement(st: Statement): void {
    let text = st.text;
    let base = st.start;
    // Labels: `name:` or `"quoted name":`, several allowed before a statement.
    for (;;) {
      const m = text.match(/^(\s*)([A-Za-z_.$][A-Za-z0-9_.$@]*|"[^"]*")\s*:/);
      if (!m || text[m[0].length] === "=") break;
      const raw = m[2]!;
      const name = raw.startsWith('"') ? raw.slice(1, -1) : raw;
      const start = base + m[1]!.length;
      this.defineLabel(name, { start, end: start + raw.length });
      text = text.slice(m[0].length);
      base += m[0].length;
    }
    const lead = text.length - text.trimStart().length;
    const body = text.trim();
    if (body === "") return;
    const bodyStart = base + lead;
    const dm = body.match(/^\.[A-Za-z_.$0-9]+/);
    if (dm && !/^\.[0-9]/.test(body)) {
      const name = dm[0];
      const argsText = body.slice(name.length);
      const cursor = new TokenCursor(
        tokenize(argsText, bodyStart + name.length),
        bodyStart + body.length,
      );
      try {
        this.directive(
          name.toLowerCase(),
          { start: bodyStart, end: bodyStart + name.length },
          cursor,
          argsText,
        );
      } catch (e) {
        const pe = e as ParseError;
        if (typeof pe?.message === "string" && typeof pe.start === "number")
          this.error(AsmCodes.syntax, pe.message, pe);
        else throw e;
      }
      return;
    }
    this.instruction(body, bodyStart);
  }

  private instruction(body: string, start: number): void {
    const loc = { start, end: start + body.length };
    // clang-19 prints the zero-extending 32-bit move (opcode 0xbc) as `rA = wB`, which
    // llvm-mc-19 rejects; it means `wA = wB`, so accept it as that (same length, same columns).
    const zext = body.match(/^r(\d+)(\s*=\s*)w(\d+)$/);
    const r = parseCached(zext ? `w${zext[1]}${zext[2]}w${zext[3]}` : body);
    if ("error" in r) {
      const col = Math.max(0, Math.min(body.length, r.column - 1));
      this.error(AsmCodes.badInstruction, r.error, {
        start: start + col,
        end: start + col + Math.max(1, r.length),
      });
      return;
    }
    if (this.pendingLoc && this.current.type !== SHT.NOBITS) {
      // A .loc applies to the next instruction only (one row per .loc).
      const label = `.Ltmp.line.${this.lineRows.length}`;
      this.defineLabel(label, loc);
      this.lineRows.push({ ...this.pendingLoc, section: this.current, label });
      this.pendingLoc = undefined;
    }
    const item: Item = { kind: "insn", insn: { ...r.insn }, loc, size: instructionSize(r.insn) };
    if (r.ref) {
      item.ref = r.ref;
      const at = findSymbolText(body, r.ref.symbol);
      item.refLoc = at >= 0 ? { start: start + at, end: start + at + r.ref.symbol.length } : loc;
      this.symbol(r.ref.symbol, item.refLoc);
    }
    if (this.current.type === SHT.NOBITS) {
      this.error(
        AsmCodes.nobitsData,
        `instructions are not allowed in SHT_NOBITS section '${this.current.name}'`,
        loc,
      );
      return;
    }
    this.current.items.push(item);
  }

  private directive(name: string, loc: Loc, c: TokenCursor, argsText: string): void {
    if (IGNORED.has(name)) return;
    const size = DATA_SIZES[name];
    if (size !== undefined) {
      if (c.atEnd()) return;
      do {
        const expr = this.expr(c);
        this.push({ kind: "data", size, expr }, expr);
      } while (c.eatPunct(","));
      c.expectEnd();
      return;
    }
    switch (name) {
      case ".text":
      case ".data":
      case ".bss": {
        c.expectEnd();
        const flags = name === ".text" ? SHF.ALLOC | SHF.EXECINSTR : SHF.ALLOC | SHF.WRITE;
        this.switchTo(
          this.getSection(name, name === ".bss" ? SHT.NOBITS : SHT.PROGBITS, flags, undefined),
        );
        return;
      }
      case ".section":
      case ".pushsection":
        this.sectionDirective(name, c, loc);
        return;
      case ".popsection": {
        c.expectEnd();
        const s = this.sectionStack.pop();
        if (!s) this.error(AsmCodes.syntax, ".popsection without a matching .pushsection", loc);
        else this.switchTo(s, false);
        return;
      }
      case ".previous":
        c.expectEnd();
        if (this.previous) this.switchTo(this.previous);
        return;
      case ".globl":
      case ".global":
      case ".weak":
      case ".local":
        this.symbolList(c, (s, at) => {
          const bind = name === ".weak" ? STB.WEAK : name === ".local" ? STB.LOCAL : STB.GLOBAL;
          if (s.temporary && bind !== STB.LOCAL) {
            // llvm-mc keeps `.L` names out of the table even then; say why it is not exported.
            this.warn(
              AsmCodes.syntax,
              `'${s.name}' is an assembler-local (.L) name and is not exported`,
              at,
            );
          }
          s.bind = bind;
          s.bindExplicit = true;
        });
        return;
      case ".hidden":
      case ".protected":
      case ".internal":
        this.symbolList(c, (s) => {
          s.visibility =
            name === ".hidden" ? STV.HIDDEN : name === ".protected" ? STV.PROTECTED : STV.INTERNAL;
        });
        return;
      case ".type": {
        const s = this.symbolName(c);
        c.expectPunct(",");
        if (c.eatPunct("@") || c.eatPunct("%")) {
          /* prefix */
        }
        const t = c.next();
        const kinds: Record<string, number> = {
          function: STT.FUNC,
          stt_func: STT.FUNC,
          object: STT.OBJECT,
          stt_object: STT.OBJECT,
          notype: STT.NOTYPE,
          stt_notype: STT.NOTYPE,
        };
        const k =
          t && (t.kind === "ident" || t.kind === "string")
            ? kinds[t.text.replace(/"/g, "").toLowerCase()]
            : undefined;
        if (k === undefined) c.fail("expected a symbol type such as @function or @object", t);
        c.expectEnd();
        s.type = k;
        return;
      }
      case ".size": {
        const s = this.symbolName(c);
        c.expectPunct(",");
        s.sizeExpr = this.expr(c);
        c.expectEnd();
        return;
      }
      case ".set":
      case ".equ": {
        const nameTok = c.peek();
        const s = this.symbolName(c);
        c.expectPunct(",");
        const e = this.expr(c);
        c.expectEnd();
        if (s.section || s.absolute) {
          this.error(AsmCodes.duplicateSymbol, `symbol '${s.name}' is already defined`, nameTok!);
          return;
        }
        s.absolute = e;
        s.defLoc = nameTok!;
        return;
      }
      case ".p2align":
      case ".align":
      case ".balign":
      case ".p2alignw":
      case ".p2alignl": {
        const at = c.peek() ?? { start: loc.start, end: loc.end };
        const v = this.constNow(c.parseExpr());
        let fill = 0;
        let maxSkip: number | undefined;
        if (c.eatPunct(",")) {
          if (!c.isPunct(",")) fill = Number(BigInt.asUintN(8, this.constNow(c.parseExpr())));
          if (c.eatPunct(",")) maxSkip = Number(this.constNow(c.parseExpr()));
        }
        c.expectEnd();
        let pow: number;
        if (name === ".balign" || name === ".align") {
          // On ELF targets llvm-mc reads .align as a byte count, like .balign.
          if (v <= 0n || (v & (v - 1n)) !== 0n || v > 1n << 32n) {
            this.error(AsmCodes.badAlignment, "alignment must be a power of 2", at);
            return;
          }
          pow = v.toString(2).length - 1;
        } else {
          if (v < 0n || v > 32n) {
            this.error(AsmCodes.badAlignment, "invalid alignment value (must be 0..32)", at);
            return;
          }
          pow = Number(v);
        }
        // A section's file offset is aligned to its alignment: 2^32 would mean gigabytes of
        // padding in the object (found by the long fuzz run: an 8 GiB allocation).
        if (2 ** pow > MAX_SECTION_BYTES) {
          this.error(
            AsmCodes.badAlignment,
            `alignment 2^${pow} is larger than the largest section (${MAX_SECTION_BYTES} bytes, docs/limits.md)`,
            at,
          );
          return;
        }
        if (this.current.type === SHT.NOBITS && fill !== 0) fill = 0;
        const item: Item = { kind: "align", pow, fill, fillSize: 1, size: 0 };
        if (maxSkip !== undefined) item.maxSkip = maxSkip;
        this.current.items.push(item);
        if (maxSkip === undefined) this.current.align = Math.max(this.current.align, 2 ** pow);
        return;
      }
      case ".zero":
      case ".skip":
      case ".space": {
        const at = c.peek() ?? loc;
        const n = this.constNow(c.parseExpr());
        let fill = 0n;
        if (c.eatPunct(",")) fill = this.constNow(c.parseExpr());
        c.expectEnd();
        if (n < 0n || n > BigInt(MAX_SECTION_BYTES)) {
          this.error(AsmCodes.outOfRange, `size ${n} is out of range`, at);
          return;
        }
        if (fill < -128n || fill > 255n) {
          this.error(AsmCodes.outOfRange, "fill value must fit in a byte", at);
          return;
        }
        this.push(
          { kind: "fill", count: Number(n), fill: Number(BigInt.asUintN(8, fill)), loc },
          loc,
        );
        return;
      }
      case ".ascii":
      case ".asciz":
      case ".string": {
        if (c.atEnd()) c.fail("expected a string");
        do {
          const t = c.next()!;
          if (t.kind !== "string") c.fail("expected a string", t);
          if (t.error) {
            this.error(AsmCodes.badString, t.error, t);
            continue;
          }
          const bytes = name === ".ascii" ? t.bytes! : [...t.bytes!, 0];
          this.push({ kind: "bytes", bytes: Uint8Array.from(bytes), loc: t }, t);
        } while (c.eatPunct(","));
        c.expectEnd();
        return;
      }
      case ".uleb128":
      case ".sleb128":
        do {
          const expr = this.expr(c);
          this.push({ kind: "leb", signed: name === ".sleb128", expr, size: 1 }, expr);
        } while (c.eatPunct(","));
        c.expectEnd();
        return;
      case ".file": {
        // `.file "a.c"` names the STT_FILE symbol; `.file N ["dir"] "name" [md5 X]` is an
        // entry of the DWARF line table.
        const t = c.peek();
        if (t?.kind === "string") {
          c.next();
          c.expectEnd();
          if (t.error) this.error(AsmCodes.badString, t.error, t);
          else this.fileName ??= Buffer.from(t.bytes!).toString("utf8");
          return;
        }
        if (t?.kind !== "number") c.fail("expected a file name or a file number", t);
        c.next();
        const num = t.value ?? -1n;
        if (num < 0n || num > 0xffffn) c.fail("file number out of range", t);
        const s1 = c.next();
        if (s1?.kind !== "string" || s1.error) c.fail("expected a file name string", s1);
        let dir: string | undefined;
        let fname = Buffer.from(s1.bytes!).toString("utf8");
        if (c.peek()?.kind === "string") {
          const s2 = c.next()!;
          if (s2.error) c.fail(s2.error, s2);
          dir = fname;
          fname = Buffer.from(s2.bytes!).toString("utf8");
        }
        let md5: Uint8Array | undefined;
        while (!c.atEnd()) {
          const k = c.next()!;
          if (k.kind === "ident" && k.text === "md5") {
            const v = c.next();
            if (v?.kind !== "number" || v.value === undefined || v.value >= 1n << 128n)
              c.fail("expected a 128-bit MD5 value", v);
            md5 = new Uint8Array(16);
            for (let i = 0; i < 16; i++) md5[i] = Number((v.value >> BigInt(8 * (15 - i))) & 0xffn);
          } else if (k.kind === "ident" && k.text === "source") {
            const v = c.next();
            if (v?.kind !== "string") c.fail("expected a source string", v);
          } else c.fail("expected md5 or source", k);
        }
        const entry: { dir?: string; name: string; md5?: Uint8Array; loc: Loc } = {
          name: fname,
          loc: t,
        };
        if (dir !== undefined) entry.dir = dir;
        if (md5) entry.md5 = md5;
        this.dwarfFiles.set(Number(num), entry);
        return;
      }
      case ".loc": {
        const f = c.next();
        if (f?.kind !== "number" || f.value === undefined) c.fail("expected a file number", f);
        if (!this.dwarfFiles.has(Number(f.value))) {
          this.error(AsmCodes.undefinedSymbol, `unassigned file number ${f.value} in .loc`, f);
          return;
        }
        const l = c.next();
        if (l?.kind !== "number" || l.value === undefined || l.value > 0xffffffffn)
          c.fail("expected a line number", l);
        let col = 0n;
        if (c.peek()?.kind === "number") col = c.next()!.value ?? 0n;
        if (col > 0xffffn) c.fail("column out of range");
        const row: LineRow = {
          file: Number(f.value),
          line: Number(l.value),
          col: Number(col),
          isStmt: this.isStmt,
          flags: 0,
          disc: 0,
        };
        while (!c.atEnd()) {
          const k = c.next()!;
          const num = (): number => {
            const v = c.next();
            if (v?.kind !== "number" || v.value === undefined || v.value > 0xffffffffn)
              c.fail("expected a number", v);
            return Number(v.value);
          };
          if (k.text === "basic_block") row.flags |= LINE_BASIC_BLOCK;
          else if (k.text === "prologue_end") row.flags |= LINE_PROLOGUE_END;
          else if (k.text === "epilogue_begin") row.flags |= LINE_EPILOGUE_BEGIN;
          else if (k.text === "is_stmt") {
            const v = num();
            if (v > 1) c.fail("is_stmt value not 0 or 1");
            row.isStmt = v === 1;
          } else if (k.text === "isa") num();
          else if (k.text === "discriminator") row.disc = num();
          else if (k.text === "view") c.next();
          else c.fail("unknown sub-directive in .loc", k);
        }
        this.isStmt = row.isStmt;
        this.pendingLoc = row;
        return;
      }
      case ".comm":
      case ".lcomm": {
        const nameTok = c.peek();
        const s = this.symbolName(c);
        c.expectPunct(",");
        const sizeAt = c.peek();
        const size = this.constNow(c.parseExpr());
        let align = 1n;
        if (c.eatPunct(",")) align = this.constNow(c.parseExpr());
        c.expectEnd();
        if (size < 0n || size > BigInt(MAX_SECTION_BYTES)) {
          this.error(AsmCodes.outOfRange, `size ${size} is out of range`, sizeAt!);
          return;
        }
        if (align <= 0n || (align & (align - 1n)) !== 0n) {
          this.error(AsmCodes.badAlignment, "alignment must be a power of 2", nameTok!);
          return;
        }
        if (align > BigInt(MAX_SECTION_BYTES)) {
          this.error(
            AsmCodes.badAlignment,
            `alignment ${align} is larger than the largest section (${MAX_SECTION_BYTES} bytes, docs/limits.md)`,
            nameTok!,
          );
          return;
        }
        if (s.section || s.absolute || s.common) {
          this.error(AsmCodes.duplicateSymbol, `symbol '${s.name}' is already defined`, nameTok!);
          return;
        }
        if (name === ".lcomm" || (s.bindExplicit && s.bind === STB.LOCAL)) {
          // A local common symbol is allocated at the end of .bss, as llvm-mc does.
          const saved = this.current;
          const bss = this.getSection(".bss", SHT.NOBITS, SHF.ALLOC | SHF.WRITE, undefined);
          this.current = bss;
          const pow = align.toString(2).length - 1;
          bss.items.push({ kind: "align", pow, fill: 0, fillSize: 1, size: 0 });
          bss.align = Math.max(bss.align, Number(align));
          this.defineLabel(s.name, nameTok!);
          bss.items.push({ kind: "fill", count: Number(size), fill: 0, loc: nameTok! });
          if (s.type === STT.NOTYPE) s.type = STT.OBJECT;
          s.sizeExpr ??= { kind: "num", value: size, start: sizeAt!.start, end: sizeAt!.end };
          this.current = saved;
        } else {
          s.common = { size: Number(size), align: Number(align) };
          s.defLoc = nameTok!;
          if (s.bind === STB.LOCAL) s.bind = STB.GLOBAL;
          if (s.type === STT.NOTYPE) s.type = STT.OBJECT;
        }
        return;
      }
      case ".cfi_sections":
        do {
          const t = c.next();
          if (t?.kind !== "ident") c.fail("expected a section name such as .debug_frame", t);
          if (t.text === ".debug_frame") this.debugFrame = true;
        } while (c.eatPunct(","));
        c.expectEnd();
        return;
      case ".cfi_startproc": {
        if (c.peek()?.text === "simple") c.next();
        c.expectEnd();
        if (this.openFrame) {
          this.error(AsmCodes.syntax, "nested .cfi_startproc", loc, {
            related: [
              {
                message: "the open procedure starts here",
                range: this.src.range(this.openFrame.loc.start, this.openFrame.loc.end),
              },
            ],
          });
          return;
        }
        const start = `.Ltmp.cfi.b${this.cfiCount}`;
        this.defineLabel(start, loc);
        this.openFrame = { start, section: this.current, loc };
        return;
      }
      case ".cfi_endproc": {
        c.expectEnd();
        const open = this.openFrame;
        if (!open) {
          this.error(AsmCodes.syntax, ".cfi_endproc without .cfi_startproc", loc);
          return;
        }
        this.openFrame = undefined;
        if (open.section !== this.current) {
          this.error(
            AsmCodes.syntax,
            `.cfi_endproc in section '${this.current.name}' closes a procedure of '${open.section.name}'`,
            loc,
          );
          return;
        }
        const end = `.Ltmp.cfi.e${this.cfiCount++}`;
        this.defineLabel(end, loc);
        this.frames.push({ start: open.start, end });
        return;
      }
      case ".addrsig":
        c.expectEnd();
        this.addrsig = true;
        return;
      case ".addrsig_sym": {
        const s = this.symbolName(c);
        c.expectEnd();
        this.addrsigSyms.push(s);
        return;
      }
      default:
        void argsText;
        this.error(AsmCodes.unknownDirective, `unknown directive '${name}'`, loc);
    }
  }

  /**
   * `.debug_frame` as llvm-mc-19 writes it for BPF: one CIE (version 4, code alignment 8,
   * data alignment -4, return address column 11, no initial instructions) and one FDE per
   * .cfi_startproc/.cfi_endproc pair, in source order. CFA-changing .cfi_* directives are
   * ignored (the BPF back end never emits them).
   */
  private buildDebugFrame(): void {
    const saved = this.current;
    const sec = this.getSection(".debug_frame", SHT.PROGBITS, 0, undefined, 8);
    this.current = sec;
    const at = { start: 0, end: 0 };
    const cie = `.Ltmp.cfi.cie`;
    this.defineLabel(cie, at);
    sec.items.push({
      kind: "bytes",
      bytes: Uint8Array.from([12, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 4, 0, 8, 0, 8, 0x7c, 11, 0]),
      loc: at,
    });
    const sym = (name: string): Expr => ({ kind: "sym", name, ...at });
    for (const f of this.frames) {
      sec.items.push({ kind: "data", size: 4, expr: { kind: "num", value: 20n, ...at } });
      sec.items.push({ kind: "data", size: 4, expr: sym(cie) });
      sec.items.push({ kind: "data", size: 8, expr: sym(f.start) });
      sec.items.push({
        kind: "data",
        size: 8,
        expr: { kind: "binary", op: "-", left: sym(f.end), right: sym(f.start), ...at },
      });
    }
    this.current = saved;
  }

  /**
   * `.debug_line` (DWARF 5) from `.file N`/`.loc`, laid out as llvm-mc-19 does for BPF: header
   * with min_inst_length 8, line_base -5, line_range 14, opcode_base 13, directories and file
   * names as `.debug_line_str` offsets (plus MD5 when every file has one); then one sequence
   * per code section, in order of its first row, ending at the section's end.
   */
  private buildDebugLine(): void {
    const saved = this.current;
    const at = { start: 0, end: 0 };
    const sym = (name: string): Expr => ({ kind: "sym", name, ...at });
    const diff = (a: string, b: string): Expr => ({
      kind: "binary",
      op: "-",
      left: sym(a),
      right: sym(b),
      ...at,
    });
    const bytes = (sec: SectionState, b: number[]) =>
      sec.items.push({ kind: "bytes", bytes: Uint8Array.from(b), loc: at });
    const data = (sec: SectionState, size: 1 | 2 | 4 | 8, expr: Expr) =>
      sec.items.push({ kind: "data", size, expr });
    let n = 0;
    const label = (sec: SectionState): string => {
      const name = `.Ltmp.dl.${n++}`;
      this.current = sec;
      this.defineLabel(name, at);
      return name;
    };
    // End-of-section labels first: nothing is added to code sections after this point.
    const order: SectionState[] = [];
    for (const r of this.lineRows) if (!order.includes(r.section)) order.push(r.section);
    const ends = new Map(order.map((sec) => [sec, label(sec)]));

    const line = this.getSection(".debug_line", SHT.PROGBITS, 0, undefined);
    const strs = this.getSection(".debug_line_str", SHT.PROGBITS, SHF.MERGE | SHF.STRINGS, 1);
    const strLabels = new Map<string, string>();
    const str = (text: string): string => {
      let l = strLabels.get(text);
      if (!l) {
        l = label(strs);
        strs.items.push({
          kind: "bytes",
          bytes: Uint8Array.from([...Buffer.from(text, "utf8"), 0]),
          loc: at,
        });
        strLabels.set(text, l);
      }
      return l;
    };
    const files = [...this.dwarfFiles.entries()].sort((a, b) => a[0] - b[0]);
    const root = this.dwarfFiles.get(0);
    const dirs: string[] = [root?.dir ?? ""];
    const fileDir = new Map<number, number>();
    for (const [num, f] of files) {
      const d = f.dir ?? dirs[0]!;
      let i = dirs.indexOf(d);
      if (i < 0) i = dirs.push(d) - 1;
      fileDir.set(num, i);
    }
    const withMd5 = files.length > 0 && files.every(([, f]) => f.md5);
    // Strings in table order: directories, then file names.
    const dirLabels = dirs.map((d) => str(d));
    const nameLabels = files.map(([, f]) => str(f.name));

    const start = label(line);
    data(line, 4, diff(`${start}.end`, `${start}.len`));
    this.defineLabel(`${start}.len`, at);
    bytes(line, [5, 0, 8, 0]); // version 5, address_size 8, segment selector size 0
    data(line, 4, diff(`${start}.prog`, `${start}.hdr`));
    this.defineLabel(`${start}.hdr`, at);
    bytes(line, [8, 1, 1, 0xfb, 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
    bytes(line, [1, 1, 0x1f, ...uleb(dirs.length)]); // DW_LNCT_path as DW_FORM_line_strp
    for (const l of dirLabels) data(line, 4, sym(l));
    bytes(line, withMd5 ? [3, 1, 0x1f, 2, 0x0f, 5, 0x1e] : [2, 1, 0x1f, 2, 0x0f]);
    bytes(line, uleb(files.length));
    files.forEach(([num, f], i) => {
      data(line, 4, sym(nameLabels[i]!));
      bytes(line, uleb(fileDir.get(num)!));
      if (withMd5) bytes(line, [...f.md5!]);
    });
    this.defineLabel(`${start}.prog`, at);
    for (const sec of order) {
      let prev: (typeof this.lineRows)[number] | undefined;
      let state = { file: 1, col: 0, isStmt: true, line: 1 };
      for (const r of this.lineRows) {
        if (r.section !== sec) continue;
        const ops: number[] = [];
        if (r.file !== state.file) ops.push(4, ...uleb(r.file));
        if (r.col !== state.col) ops.push(5, ...uleb(r.col));
        if (r.disc) ops.push(0, ...uleb(1 + uleb(r.disc).length), 4, ...uleb(r.disc));
        if (r.isStmt !== state.isStmt) ops.push(6);
        if (r.flags & LINE_BASIC_BLOCK) ops.push(7);
        if (r.flags & LINE_PROLOGUE_END) ops.push(10);
        if (r.flags & LINE_EPILOGUE_BEGIN) ops.push(11);
        if (ops.length) bytes(line, ops);
        if (!prev) {
          bytes(line, [0, 9, 2]); // DW_LNE_set_address
          data(line, 8, sym(r.label));
        }
        line.items.push({
          kind: "lineadv",
          lineDelta: r.line - state.line,
          from: sym(prev?.label ?? r.label),
          to: sym(r.label),
          size: 1,
        });
        state = { file: r.file, col: r.col, isStmt: r.isStmt, line: r.line };
        prev = r;
      }
      line.items.push({
        kind: "lineend",
        from: sym(prev!.label),
        to: sym(ends.get(sec)!),
        size: 3,
      });
    }
    this.defineLabel(`${start}.end`, at);
    this.current = saved;
  }

  private push(item: Item, loc: Loc): void {
    const s = this.current;
    if (s.type === SHT.NOBITS) {
      const zero =
        (item.kind === "fill" && item.fill === 0) ||
        (item.kind === "data" && item.expr.kind === "num" && item.expr.value === 0n);
      if (!zero) {
        this.error(
          AsmCodes.nobitsData,
          `SHT_NOBITS section '${s.name}' cannot have non-zero initializers`,
          loc,
        );
        return;
      }
      if (item.kind === "data") item = { kind: "fill", count: item.size, fill: 0, loc };
    }
    s.items.push(item);
  }

  private switchTo(s: SectionState, remember = true): void {
    if (remember) this.previous = this.current;
    this.current = s;
  }

  private sectionDirective(name: string, c: TokenCursor, loc: Loc): void {
    const t = c.next();
    let secName: string;
    if (t?.kind === "string") {
      if (t.error) c.fail(t.error, t);
      secName = Buffer.from(t.bytes!).toString("utf8");
    } else if (t?.kind === "ident") {
      // Unquoted names may contain `/`, `-` and similar, e.g. `.section tracepoint/a,"ax"`.
      let text = t.text;
      let end = t.end;
      while (!c.atEnd() && !c.isPunct(",")) {
        const n = c.peek()!;
        if (n.start !== end) break;
        text += n.text;
        end = n.end;
        c.next();
      }
      secName = text;
    } else c.fail("expected a section name", t);
    if (secName === "") c.fail("section name must not be empty", t);
    if (secName === ".symtab" || secName === ".strtab" || secName === ".shstrtab") {
      this.error(
        AsmCodes.reservedSection,
        `section '${secName}' is generated by the ELF writer`,
        t!,
      );
      return;
    }
    let flags: number | undefined;
    let type: number | undefined;
    let entsize: number | undefined;
    if (c.eatPunct(",")) {
      const f = c.next();
      if (f?.kind !== "string") c.fail("expected a string of section flags", f);
      flags = 0;
      for (let i = 1; i < f.text.length - 1; i++) {
        const bit = SECTION_FLAGS[f.text[i]!];
        if (bit === undefined) {
          this.error(
            AsmCodes.badSectionFlags,
            `unknown section flag '${f.text[i]}'`,
            { start: f.start + i, end: f.start + i + 1 },
            {
              hint: "BPF objects use a (alloc), w (write), x (execute), M (merge), S (strings), e (exclude)",
            },
          );
          return;
        }
        flags |= bit;
      }
      if (c.eatPunct(",")) {
        if (!c.eatPunct("@") && !c.eatPunct("%")) c.fail("expected '@' before the section type");
        const ty = c.next();
        const v = ty && ty.kind === "ident" ? SECTION_TYPES[ty.text] : undefined;
        if (v === undefined) {
          this.error(
            AsmCodes.badSectionType,
            `unknown section type '${ty?.text ?? ""}'`,
            ty ?? loc,
            {
              hint: "use @progbits or @nobits",
            },
          );
          return;
        }
        type = v;
        if (c.eatPunct(",")) {
          const e = this.constNow(c.parseExpr());
          if (e < 0n || e > 0xffffffffn) c.fail("entry size out of range");
          entsize = Number(e);
        }
      }
    }
    // Trailing operands (e.g. a group name, unique id) are not used by BPF objects.
    if (!c.atEnd()) c.fail("unexpected token after section type");
    const defaults = defaultSectionKind(secName);
    const existing = this.sectionByName.get(secName);
    const sec =
      existing ?? this.getSection(secName, type ?? defaults.type, flags ?? defaults.flags, entsize);
    if (existing && flags !== undefined && existing.flags !== flags) {
      this.error(AsmCodes.badSectionFlags, `changed section flags for '${secName}'`, t!, {});
      return;
    }
    if (existing && type !== undefined && existing.type !== type) {
      this.error(AsmCodes.badSectionType, `changed section type for '${secName}'`, t!);
      return;
    }
    if (name === ".pushsection") {
      this.sectionStack.push(this.current);
      this.switchTo(sec, false);
    } else this.switchTo(sec);
    void loc;
  }

  private symbolName(c: TokenCursor): SymbolInfo {
    const t = c.next();
    if (t?.kind === "ident") return this.symbol(t.text, t);
    if (t?.kind === "string" && !t.error && t.text.length >= 2)
      return this.symbol(t.text.slice(1, -1), t);
    c.fail("expected a symbol name", t);
  }

  private symbolList(c: TokenCursor, f: (s: SymbolInfo, at: Token) => void): void {
    do {
      const t = c.peek();
      f(this.symbolName(c), t!);
    } while (c.eatPunct(","));
    c.expectEnd();
  }

  /** A value needed during pass 1 (alignment, sizes): numbers and operators only. */
  private constNow(e: Expr): bigint {
    const v = this.evaluate(e, true);
    if (!v)
      throw {
        message: "expected an absolute expression",
        start: e.start,
        end: e.end,
      } satisfies ParseError;
    if (v.sym)
      throw {
        message: "expected an absolute expression",
        start: e.start,
        end: e.end,
      } satisfies ParseError;
    return v.addend;
  }

  // -- layout --

  layout(): boolean {
    for (let round = 0; round < 20; round++) {
      let changed = false;
      for (const s of this.sections) {
        let off = 0;
        s.offsets.length = 0;
        for (const it of s.items) {
          s.offsets.push(off);
          if (it.kind === "align") {
            const a = 2 ** it.pow;
            const pad = (a - (off % a)) % a;
            it.size = it.maxSkip !== undefined && pad > it.maxSkip ? 0 : pad;
          }
          off += itemSize(it);
          if (off > MAX_SECTION_BYTES) off = MAX_SECTION_BYTES;
        }
        s.offsets.push(off);
        s.size = off;
      }
      for (const sym of this.symbols.values())
        if (sym.section && sym.itemIndex !== undefined)
          sym.offset = sym.section.offsets[sym.itemIndex]!;
      for (const s of this.sections)
        for (const it of s.items) {
          if (it.kind === "lineadv" || it.kind === "lineend") {
            const n = this.lineOps(it).length;
            if (n !== it.size) {
              it.size = n;
              changed = true;
            }
            continue;
          }
          if (it.kind !== "leb") continue;
          const v = this.evaluate(it.expr, true);
          const n = v && !v.sym ? lebSize(v.addend, it.signed) : 1;
          if (n !== it.size) {
            it.size = n;
            changed = true;
          }
        }
      if (!changed) return true;
    }
    return false;
  }

  /**
   * The line-program bytes of a row advance: a special opcode when line and address deltas
   * fit, else DW_LNS_advance_line / DW_LNS_const_add_pc / DW_LNS_advance_pc as needed (the
   * same choices as llvm-mc, so objects compare byte for byte).
   */
  private lineOps(it: Extract<Item, { kind: "lineadv" | "lineend" }>): number[] {
    const v = this.evaluate(
      { kind: "binary", op: "-", left: it.to, right: it.from, start: 0, end: 0 },
      true,
    );
    const addr = v && !v.sym && v.addend >= 0n ? Number(v.addend) / 8 : 0;
    const LINE_BASE = -5;
    const LINE_RANGE = 14;
    const OPCODE_BASE = 13;
    const MAX_SPECIAL_ADDR = Math.floor((255 - OPCODE_BASE) / LINE_RANGE);
    if (it.kind === "lineend") {
      const pre = addr === 0 ? [] : addr === MAX_SPECIAL_ADDR ? [8] : [2, ...uleb(addr)];
      return [...pre, 0, 1, 1];
    }
    const out: number[] = [];
    let lineDelta = it.lineDelta;
    let needCopy = false;
    let biased = lineDelta - LINE_BASE;
    if (biased < 0 || biased >= LINE_RANGE) {
      out.push(3, ...sleb(lineDelta));
      lineDelta = 0;
      biased = -LINE_BASE;
      needCopy = true;
    }
    if (lineDelta === 0 && addr === 0) return [...out, 1];
    biased += OPCODE_BASE;
    if (addr < 256 + MAX_SPECIAL_ADDR) {
      const direct = biased + addr * LINE_RANGE;
      if (direct <= 255) return [...out, direct];
      const viaConst = biased + (addr - MAX_SPECIAL_ADDR) * LINE_RANGE;
      if (viaConst <= 255) return [...out, 8, viaConst];
    }
    out.push(2, ...uleb(addr));
    out.push(needCopy ? 1 : biased);
    return out;
  }

  // -- expressions --

  /**
   * Evaluates to `symbol + addend` or a plain number. Two labels of one section subtract to a
   * number (after layout). `quiet` returns undefined instead of reporting.
   */
  evaluate(e: Expr, quiet = false, depth = 0): Value | undefined {
    const bad = (msg: string, at: Loc = e): undefined => {
      if (!quiet) this.error(AsmCodes.notConstant, msg, at);
      return undefined;
    };
    if (depth > 100) return bad("expression nests too deeply (or a .set refers to itself)");
    switch (e.kind) {
      case "num":
        return { addend: e.value };
      case "sym": {
        const s = this.symbols.get(e.name);
        if (s?.absolute) return this.evaluate(s.absolute, quiet, depth + 1);
        if (!s) return bad(`unknown symbol '${e.name}'`);
        return { sym: s, addend: 0n };
      }
      case "unary": {
        const a = this.evaluate(e.arg, quiet, depth + 1);
        if (!a) return undefined;
        if (e.op === "+") return a;
        if (a.sym) return bad(`operator '${e.op}' needs an absolute operand`);
        const v = e.op === "-" ? -a.addend : e.op === "~" ? ~a.addend : a.addend === 0n ? 1n : 0n;
        return { addend: BigInt.asIntN(64, v) };
      }
      case "binary": {
        const l = this.evaluate(e.left, quiet, depth + 1);
        if (!l) return undefined;
        const r = this.evaluate(e.right, quiet, depth + 1);
        if (!r) return undefined;
        if (e.op === "+") {
          if (l.sym && r.sym) return bad("cannot add two symbols");
          return {
            ...(l.sym ? { sym: l.sym } : r.sym ? { sym: r.sym } : {}),
            addend: BigInt.asIntN(64, l.addend + r.addend),
          };
        }
        if (e.op === "-") {
          if (r.sym) {
            if (!l.sym) return bad("cannot subtract a symbol from a number");
            const a = l.sym;
            const b = r.sym;
            if (a === b) return { addend: l.addend - r.addend };
            if (!a.section || !b.section || a.section !== b.section)
              return bad(
                `'${a.name}' and '${b.name}' must be defined in the same section to be subtracted`,
              );
            return {
              addend: BigInt.asIntN(64, BigInt(a.offset) + l.addend - BigInt(b.offset) - r.addend),
            };
          }
          return {
            ...(l.sym ? { sym: l.sym } : {}),
            addend: BigInt.asIntN(64, l.addend - r.addend),
          };
        }
        if (l.sym || r.sym) return bad(`operator '${e.op}' needs absolute operands`);
        const x = l.addend;
        const y = r.addend;
        let v: bigint;
        switch (e.op) {
          case "*":
            v = x * y;
            break;
          case "/":
          case "%":
            if (y === 0n) return bad("division by zero", e.right);
            v = e.op === "/" ? x / y : x % y;
            break;
          case "<<":
            v = y < 0n || y > 63n ? 0n : x << y;
            break;
          case ">>":
            v = y < 0n || y > 63n ? (x < 0n ? -1n : 0n) : x >> y;
            break;
          case "&":
            v = x & y;
            break;
          case "|":
            v = x | y;
            break;
          case "^":
            v = x ^ y;
            break;
          case "&&":
            v = x !== 0n && y !== 0n ? 1n : 0n;
            break;
          case "||":
            v = x !== 0n || y !== 0n ? 1n : 0n;
            break;
          default: {
            const cmp: Record<string, boolean> = {
              "==": x === y,
              "!=": x !== y,
              "<": x < y,
              ">": x > y,
              "<=": x <= y,
              ">=": x >= y,
            };
            // llvm-mc's comparisons yield -1 for true.
            v = cmp[e.op] ? -1n : 0n;
          }
        }
        return { addend: BigInt.asIntN(64, v) };
      }
    }
  }

  // -- pass 2 --

  emit(): ObjFile {
    const relocations = new Map<string, ObjRelocation[]>();
    const objSections: ObjSection[] = [];
    for (const s of this.sections) {
      const nobits = s.type === SHT.NOBITS;
      const data = new Uint8Array(nobits ? 0 : s.size);
      const view = new DataView(data.buffer);
      const relocs: ObjRelocation[] = [];
      s.items.forEach((it, idx) => {
        const off = s.offsets[idx]!;
        if (nobits) return;
        switch (it.kind) {
          case "insn":
            this.emitInsn(s, it, off, data, relocs);
            return;
          case "data":
            this.emitData(s, it, off, view, relocs);
            return;
          case "bytes":
            data.set(it.bytes, off);
            return;
          case "fill":
            data.fill(it.fill, off, off + it.count);
            return;
          case "align":
            data.fill(it.fill, off, off + it.size);
            return;
          case "lineadv":
          case "lineend":
            data.set(this.lineOps(it), off);
            return;
          case "leb": {
            const v = this.evaluate(it.expr);
            if (!v) return;
            if (v.sym) {
              this.error(
                AsmCodes.notConstant,
                "a .uleb128/.sleb128 value must be a constant or a difference of labels",
                it.expr,
              );
              return;
            }
            writeLeb(data, off, v.addend, it.signed, it.size);
            return;
          }
        }
      });
      const sec: ObjSection = {
        name: s.name,
        type: s.type,
        flags: s.flags,
        data,
        addralign: s.align,
      };
      if (nobits) sec.size = s.size;
      if (s.entsize !== undefined) sec.entsize = s.entsize;
      objSections.push(sec);
      if (relocs.length) relocations.set(s.name, relocs);
    }

    const symbols = this.objSymbols();
    const obj: ObjFile = { sections: objSections, symbols, relocations };
    if (this.fileName !== undefined) obj.fileName = this.fileName;
    if (this.addrsig) this.addAddrsig(obj);
    return obj;
  }

  /** Where a relocation against `v` points and what the instruction/data keeps as addend. */
  private relocTarget(v: Value): {
    symbol: ObjRelocation["symbol"];
    addend: bigint;
    local: boolean;
  } {
    const s = v.sym!;
    s.referenced = true;
    if (s.section && s.bind === STB.LOCAL)
      // llvm-mc relocates against the section for local symbols and folds the offset in.
      return {
        symbol: { section: s.section.name },
        addend: BigInt(s.offset) + v.addend,
        local: true,
      };
    return { symbol: s.name, addend: v.addend, local: false };
  }

  private checkUndefined(s: SymbolInfo, at: Loc): boolean {
    if (s.section || s.absolute) return true;
    if (s.temporary) {
      this.error(AsmCodes.undefinedSymbol, `undefined temporary symbol '${s.name}'`, at);
      return false;
    }
    return true;
  }

  private emitInsn(
    s: SectionState,
    it: Extract<Item, { kind: "insn" }>,
    off: number,
    data: Uint8Array,
    relocs: ObjRelocation[],
  ): void {
    const insn = { ...it.insn };
    const ref = it.ref;
    if (ref) {
      const at = it.refLoc ?? it.loc;
      const sym = this.symbols.get(ref.symbol)!;
      const addend = BigInt(ref.addend ?? 0);
      if (ref.kind === "branch") {
        if (!sym.section) {
          if (sym.absolute)
            this.error(
              AsmCodes.crossSectionBranch,
              `branch target '${sym.name}' is not a label`,
              at,
            );
          else this.error(AsmCodes.undefinedSymbol, `undefined branch target '${sym.name}'`, at);
          return;
        }
        if (sym.section !== s) {
          this.error(
            AsmCodes.crossSectionBranch,
            `branch target '${sym.name}' is in section '${sym.section.name}', not '${s.name}'`,
            at,
            {
              hint: "jumps stay inside one section; use call for another function",
            },
          );
          return;
        }
        const delta = sym.offset + Number(addend) - (off + 8);
        if (delta % 8 !== 0) {
          this.error(
            AsmCodes.misalignedTarget,
            `branch target '${sym.name}' is not at an instruction boundary`,
            at,
          );
          return;
        }
        const slots = delta / 8;
        if (insn.opcode === 0x06) {
          if (slots < -(2 ** 31) || slots >= 2 ** 31) {
            this.error(
              AsmCodes.branchOutOfRange,
              `gotol distance ${slots} does not fit in 32 bits`,
              at,
            );
            return;
          }
          insn.imm = slots;
        } else {
          if (slots < -32768 || slots > 32767) {
            this.error(
              AsmCodes.branchOutOfRange,
              `branch distance ${slots} does not fit in a 16-bit offset`,
              at,
              {
                hint: "use gotol (cpu v4) for long unconditional jumps",
              },
            );
            return;
          }
          insn.off = slots;
        }
      } else if (ref.kind === "call") {
        if (!this.checkUndefined(sym, at)) return;
        insn.src = 1;
        if (sym.absolute) {
          this.error(
            AsmCodes.badRelocation,
            `call target '${sym.name}' is not a function label`,
            at,
          );
          return;
        }
        if (sym.section === s && sym.bind === STB.LOCAL) {
          const delta = sym.offset + Number(addend) - (off + 8);
          if (delta % 8 !== 0) {
            this.error(
              AsmCodes.misalignedTarget,
              `call target '${sym.name}' is not at an instruction boundary`,
              at,
            );
            return;
          }
          insn.imm = delta / 8;
        } else {
          const t = this.relocTarget({ sym, addend });
          if (t.local) {
            if (t.addend % 8n !== 0n) {
              this.error(
                AsmCodes.misalignedTarget,
                `call target '${sym.name}' is not at an instruction boundary`,
                at,
              );
              return;
            }
            const imm = t.addend / 8n - 1n;
            if (imm > 0x7fffffffn) {
              this.error(AsmCodes.outOfRange, "call target offset out of range", at);
              return;
            }
            insn.imm = Number(imm);
          } else insn.imm = -1;
          relocs.push({ offset: off, symbol: t.symbol, type: R_BPF.R_BPF_64_32 });
        }
      } else {
        if (!this.checkUndefined(sym, at)) return;
        let v: Value | undefined = { sym, addend };
        if (sym.absolute) {
          v = this.evaluate({ kind: "sym", name: sym.name, start: at.start, end: at.end });
          if (!v) return;
          if (v.sym) v = { sym: v.sym, addend: v.addend + addend };
          else v = { addend: v.addend + addend };
        }
        if (v.sym) {
          const t = this.relocTarget(v);
          insn.imm64 = BigInt.asIntN(64, t.addend);
          relocs.push({ offset: off, symbol: t.symbol, type: R_BPF.R_BPF_64_64 });
        } else insn.imm64 = BigInt.asIntN(64, v.addend);
        insn.imm = Number(BigInt.asIntN(32, insn.imm64));
      }
    }
    encodeInto(insn, data, off);
  }

  private emitData(
    s: SectionState,
    it: Extract<Item, { kind: "data" }>,
    off: number,
    view: DataView,
    relocs: ObjRelocation[],
  ): void {
    const v = this.evaluate(it.expr);
    if (!v) return;
    let value = v.addend;
    if (v.sym) {
      if (!this.checkUndefined(v.sym, it.expr)) return;
      if (it.size !== 4 && it.size !== 8) {
        this.error(
          AsmCodes.badRelocation,
          `a ${it.size}-byte value cannot hold a relocatable symbol; use .long or .quad`,
          it.expr,
        );
        return;
      }
      const sym = v.sym;
      const t = this.relocTarget(v);
      value = t.addend;
      let type: number = it.size === 8 ? R_BPF.R_BPF_64_ABS64 : R_BPF.R_BPF_64_ABS32;
      if (it.size === 4 && sym.section) {
        // llvm-mc's choice: offsets of temporary labels in code (.BTF.ext) and of data
        // variables in writable sections (.BTF DATASEC) get R_BPF_64_NODYLD32.
        const f = sym.section.flags;
        if (sym.temporary ? f & SHF.ALLOC && f & SHF.EXECINSTR : f & SHF.ALLOC && f & SHF.WRITE)
          type = R_BPF.R_BPF_64_NODYLD32;
      }
      relocs.push({ offset: off, symbol: t.symbol, type });
    }
    const bits = BigInt(it.size * 8);
    const min = -(1n << (bits - 1n));
    const max = (1n << bits) - 1n;
    if (!v.sym && (value < min || value > max)) {
      this.error(
        AsmCodes.outOfRange,
        `value ${value} does not fit in ${it.size} byte${it.size > 1 ? "s" : ""}`,
        it.expr,
      );
      return;
    }
    const u = BigInt.asUintN(Number(bits), value);
    if (it.size === 1) view.setUint8(off, Number(u));
    else if (it.size === 2) view.setUint16(off, Number(u), true);
    else if (it.size === 4) view.setUint32(off, Number(u), true);
    else view.setBigUint64(off, u, true);
    void s;
  }

  private objSymbols(): ObjSymbol[] {
    const list = [...this.symbols.values()].sort((a, b) => a.order - b.order);
    const out: ObjSymbol[] = [];
    for (const s of list) {
      if (s.temporary) continue;
      const defined = s.section !== undefined || s.absolute !== undefined || s.common !== undefined;
      if (!defined && !s.referenced && s.bind === STB.LOCAL && !s.bindExplicit) continue;
      let size = 0;
      if (s.sizeExpr) {
        const v = this.evaluate(s.sizeExpr);
        if (v?.sym)
          this.error(AsmCodes.notConstant, `size of '${s.name}' must be a constant`, s.sizeExpr);
        else if (v) {
          if (v.addend < 0n)
            this.error(AsmCodes.outOfRange, `size of '${s.name}' is negative`, s.sizeExpr);
          else size = Number(v.addend);
        }
      }
      const sym: ObjSymbol = {
        name: s.name,
        value: s.section ? s.offset : 0,
        size,
        type: s.type,
        // An undefined symbol that is used becomes an extern (llvm-mc makes it global).
        bind: defined ? s.bind : s.bind === STB.LOCAL ? STB.GLOBAL : s.bind,
      };
      if (s.section) sym.section = s.section.name;
      else if (s.absolute) {
        const v = this.evaluate(s.absolute);
        if (v?.sym) {
          this.error(AsmCodes.notConstant, `'${s.name}' must be set to a constant`, s.absolute);
          continue;
        }
        sym.shndx = SHN.ABS;
        sym.value = Number(BigInt.asUintN(64, v?.addend ?? 0n) & 0xffffffffffffn);
      }
      if (s.common) {
        sym.shndx = SHN.COMMON;
        sym.value = s.common.align;
        sym.size = s.common.size;
      }
      if (s.visibility !== STV.DEFAULT) sym.visibility = s.visibility;
      out.push(sym);
    }
    return out;
  }

  /** `.llvm_addrsig`: ULEB128 symbol-table indices of the `.addrsig_sym` symbols. */
  private addAddrsig(obj: ObjFile): void {
    const plan = planSymbols(obj);
    const index = new Map<string, number>();
    plan.symbols.forEach((p, i) => {
      if (p.kind === "symbol") index.set(p.symbol.name, i + 1);
    });
    const bytes: number[] = [];
    for (const s of this.addrsigSyms) {
      const i = index.get(s.name);
      if (i === undefined) continue;
      let v = i;
      do {
        let b = v & 0x7f;
        v >>>= 7;
        if (v) b |= 0x80;
        bytes.push(b);
      } while (v);
    }
    obj.sections.push({
      name: ".llvm_addrsig",
      type: SHT.LLVM_ADDRSIG,
      flags: SHF.EXCLUDE,
      data: Uint8Array.from(bytes),
      addralign: 1,
    });
  }
}

// Compiler output repeats instruction texts a lot and the table-driven parser tries every
// form, so results are memoised (they are never mutated: callers copy `insn`).
const PARSE_CACHE = new Map<string, ReturnType<typeof parseInstruction>>();
function parseCached(text: string): ReturnType<typeof parseInstruction> {
  let r = PARSE_CACHE.get(text);
  if (!r) {
    r = parseInstruction(text);
    if (PARSE_CACHE.size >= 20000) PARSE_CACHE.clear();
    PARSE_CACHE.set(text, r);
  }
  return r;
}

function sortByPosition(ds: Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((x, y) => (x.d.range?.start.offset ?? -1) - (y.d.range?.start.offset ?? -1) || x.i - y.i)
    .map((x) => x.d);
}

function itemSize(it: Item): number {
  switch (it.kind) {
    case "insn":
      return it.size;
    case "data":
      return it.size;
    case "bytes":
      return it.bytes.length;
    case "leb":
      return it.size;
    case "align":
      return it.size;
    case "fill":
      return it.count;
    case "lineadv":
    case "lineend":
      return it.size;
  }
}

interface LineRow {
  file: number;
  line: number;
  col: number;
  isStmt: boolean;
  flags: number;
  disc: number;
}
const LINE_BASIC_BLOCK = 1;
const LINE_PROLOGUE_END = 2;
const LINE_EPILOGUE_BEGIN = 4;

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = ((v % 128) + 128) % 128;
    v = Math.floor(v / 128);
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function lebSize(v: bigint, signed: boolean): number {
  let n = 0;
  if (!signed) {
    let u = BigInt.asUintN(64, v);
    do {
      u >>= 7n;
      n++;
    } while (u);
    return n;
  }
  let x = BigInt.asIntN(64, v);
  for (;;) {
    const b = x & 0x7fn;
    x >>= 7n;
    n++;
    if ((x === 0n && (b & 0x40n) === 0n) || (x === -1n && (b & 0x40n) !== 0n)) return n;
  }
}

function writeLeb(out: Uint8Array, at: number, v: bigint, signed: boolean, size: number): void {
  let x = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  for (let i = 0; i < size; i++) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out[at + i] = i < size - 1 ? b | 0x80 : b;
  }
}

function defaultSectionKind(name: string): { type: number; flags: number } {
  if (name === ".text" || name.startsWith(".text."))
    return { type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR };
  if (name === ".bss" || name.startsWith(".bss."))
    return { type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE };
  if (name === ".data" || name.startsWith(".data."))
    return { type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE };
  if (name === ".rodata" || name.startsWith(".rodata."))
    return { type: SHT.PROGBITS, flags: SHF.ALLOC };
  return { type: SHT.PROGBITS, flags: 0 };
}

/** Position of `symbol` as a whole word in `text`, or -1. */
function findSymbolText(text: string, symbol: string): number {
  let i = text.indexOf(symbol);
  while (i >= 0) {
    const before = i > 0 ? text[i - 1]! : " ";
    const after = text[i + symbol.length] ?? " ";
    if (!IDENT_PART.test(before) && !IDENT_START.test(before) && !IDENT_PART.test(after)) return i;
    i = text.indexOf(symbol, i + 1);
  }
  return -1;
}

/** Assembles llvm-mc-syntax BPF assembly. Output exists only when there are no errors. */
export function assemble(
  source: SourceFile | string,
  file = "<asm>",
  options: AssembleOptions = {},
): AssembleResult {
  const src = typeof source === "string" ? new SourceFile(file, source) : source;
  const a = new Assembler(src, options.limit ?? 100);
  a.run();
  // Pass 2 runs even after pass-1 errors so one run reports every error of the file.
  let object: ObjFile | undefined;
  if (!a.bag.full) {
    if (!a.layout())
      a.error(
        AsmCodes.layoutDiverged,
        "layout did not converge (.uleb128 values depend on each other)",
        { start: 0, end: 0 },
      );
    else object = a.emit();
  }
  if (a.bag.hasErrors || !object) {
    const ds = sortByPosition(a.bag.items);
    if (a.stoppedAt !== undefined)
      ds.push({
        code: AsmCodes.tooManyErrors,
        severity: "note",
        message: `too many errors (limit ${a.bag.limit}); stopped here, the rest of the file was not checked`,
        range: src.range(a.stoppedAt, a.stoppedAt),
      });
    return { diagnostics: ds };
  }
  const written = tryWriteElf(object);
  const diagnostics = [...a.bag.items, ...written.diagnostics];
  if (!written.bytes || diagnostics.some((d) => d.severity === "error")) {
    if (!diagnostics.some((d) => d.severity === "error"))
      diagnostics.push({
        code: AsmCodes.writerFailed,
        severity: "error",
        message: "the ELF writer produced no output",
        file: src.path,
      });
    return { object, diagnostics };
  }
  return { object, bytes: written.bytes, diagnostics };
}
