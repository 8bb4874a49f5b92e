// Lowering of one checked program to BPF instructions (docs/compile.md).
//
// Every program function is inlined into the entry program (no recursion exists, and a single
// frame keeps ctx in r6 for every helper that needs it). Values in registers are kept in
// canonical form: sign-extended (signed types) or zero-extended (unsigned, bool) to 64 bits,
// so comparisons, widening and helper arguments need no fix-ups; narrow arithmetic is
// re-normalised after the operations that can leave the type's range.
//
// Registers: r6 = ctx; r7–r9 = data section base addresses and the most used scalar/pointer
// locals (-O2); r0–r5 = expression temporaries, spilled to the stack around calls (they are
// caller-saved) or under pressure.
import type { Diagnostic, SourceRange } from "../diagnostics/index.js";
import type * as ast from "../parser/ast.js";
import type { Instruction } from "../isa/index.js";
import type {
  CallTarget,
  CheckedFunction,
  CheckedProgram,
  GlobalSymbol,
  LocalSymbol,
  MapDef,
  SqeFieldValue,
} from "../check/symbols.js";
import type { DataType, IntType, StructType, Type } from "../check/types.js";
import { INT_TYPES, alignOf, sizeOf } from "../check/types.js";
import { mcpuLevel, helperProto, contextField } from "../targets/targets.js";
import { targetCodegen } from "../targets/registry.js";
import {
  CQE_SIZE,
  SQE_FLAGS_OFFSET,
  SQE_SIZE,
  SQE_SLOTS,
  iosqeFlag,
  sqeField,
} from "../targets/sqe.js";
import { CodegenCodes } from "./codes.js";
import {
  CQE_F_MORE,
  DEFAULT_CQ_BATCH,
  EFAULT,
  EMIT_MAP,
  EMIT_RECORD_SIZE,
  GEOMETRY,
  IOU_LOOP_STOP,
  KFUNC_GET_REGION,
  KFUNC_ITER_DESTROY,
  KFUNC_ITER_NEW,
  KFUNC_ITER_NEXT,
  KFUNC_SUBMIT_SQES,
  REGION_CQ,
  REGION_SQ,
  type PlumbingWhat,
  plumbingSymbol,
} from "../targets/linux-7.1/plumbing.js";
import type { DataLayout } from "./object.js";
import {
  type AluName,
  type Item,
  type JmpName,
  NEGATE,
  R0,
  R10,
  SWAP,
  alu,
  call,
  exit,
  fitsImm32,
  kfuncCall,
  ja,
  jmp,
  jmp32,
  ldImm64,
  ldx,
  movsx,
  sizeName,
  st,
  stx,
} from "./insns.js";

export interface LowerOptions {
  /** 0: every local on the stack, no peephole; 2: registers for hot locals, peephole. */
  opt: 0 | 2;
  /** CQEs reaped per run at most (the loop bound the verifier sees). */
  reapBatch?: number;
  /**
   * Callee-saved registers given to data section base addresses instead of locals (-O2):
   * loaded once at entry, every global of the section is then `base + offset`. The
   * remaining ones of r7–r9 go to the most used locals.
   */
  regs?: RegPlan;
  /** Keep the reap-loop counter in a spare callee-saved register (see program()). */
  counterInRegister?: boolean;
  /** linux-7.1: CQEs walked per loop_step at most (default 64). */
  cqBatch?: number;
}

/** Stack slots of the linux-7.1 plumbing (offsets from r10; 0 when unused). */
interface Slots71 {
  lp: number;
  headPtr: number;
  head: number;
  tail: number;
  cqes: number;
  /** The open-coded iterator (struct bpf_iter_num) bounding the CQ walk. */
  iter: number;
  sq: number;
  ret: number;
  cqe: number;
}

export interface RegPlan {
  bases: ReadonlyMap<string, number>;
}

/** Names of the ELF symbols the lowered code refers to. */
export interface SymbolNames {
  global(g: GlobalSymbol): string;
  map(m: MapDef): string;
  /** The `.bss` byte that says onStart has run (iouring-v2). */
  startedFlag: string;
  /** Placement of the globals (needed for section base registers). */
  data?: DataLayout;
}

export interface LoweredProgram {
  items: Item[];
  frameSize: number;
  /** Uses the started flag (so the object must define it). */
  usesStartedFlag: boolean;
  /** Read-only strings the code refers to by symbol (trace formats). */
  strings: { symbol: string; bytes: Uint8Array }[];
  /** ld_imm64 of global/flag addresses per data section (for choosing base registers). */
  dataRefs: Map<string, number>;
  /** Calls a helper only a CAP_PERFMON loader is offered (so no speculative walk). */
  needsPerfmon: boolean;
}

const CTX = 6;
const CALLEE_SAVED = [7, 8, 9];
export const CALLEE_SAVED_REGS: readonly number[] = CALLEE_SAVED;
const TEMP_POOL = [1, 2, 3, 4, 5, 0];
const MAX_STACK = 512;
const DEFAULT_REAP_BATCH = 16;
/** BPF_ANY for map_update_elem. */
const BPF_ANY = 0;

/** Placeholder offsets of spill slots (Lowerer.allocSpill); far below any real frame. */
const SPILL_BASE = -1_000_000;

class Tmp {
  reg: number | undefined;
  slot: number | undefined;
  pinned = 0;
  /**
   * Set after a narrow signed load: the register holds the value zero-extended from this many
   * bits and is sign-extended on first use that needs 64 bits (narrow stores and 32-bit
   * compares use it as is).
   */
  pendingExt: number | undefined;
  /** With pendingExt: the bits above it are zero (a narrow load), not garbage (a truncation). */
  zx = false;
  constructor(reg: number) {
    this.reg = reg;
  }
}

type Val = { k: "imm"; v: bigint } | { k: "reg"; r: number } | { k: "tmp"; t: Tmp };
type Home =
  { k: "reg"; r: number } | { k: "stack"; off: number } | { k: "alias"; base: Val; off: number };
/** A memory location: base register value + offset. */
interface Addr {
  base: Val;
  off: number;
}

interface FnFrame {
  fn: CheckedFunction;
  exitLabel: number;
  /** Stack slot of the return value. */
  resultSlot?: number;
}
interface LoopFrame {
  breakLabel: number;
  continueLabel?: number;
}

/** A call lowered as a condition (see branch()). */
interface CondCapture {
  call: ast.CallExpr;
  /** The bool-from-r0 builtins report here: branch on `r0 op k`. */
  result?: { r0: Val; op: JmpName; k: number };
  /** Where branch() jumps, for builtins that branch there themselves (linux-7.1 submit). */
  target: number;
  when: boolean;
  /** Set when the builtin emitted the branch itself. */
  done?: boolean;
}

class LowerError extends Error {
  constructor(readonly diag: Diagnostic) {
    super(diag.message);
  }
}

const INT_BYTES = (t: IntType): number => t.bits / 8;

/** Stack arrays up to this length are indexed by a pointer stepped per element. */
const STACK_INDEX_CHAIN = 32;

function unparen(e: ast.Expr): ast.Expr {
  while (e.kind === "ParenExpr") e = e.expr;
  return e;
}

/** Scalar view of a type: ints as themselves, bool as u8-like 0/1. */
function scalarOf(t: Type | undefined): IntType {
  if (t && t.kind === "int") return t;
  if (t && t.kind === "bool") return INT_TYPES.u8;
  return INT_TYPES.u64;
}

export class Lowerer {
  private items: Item[] = [];
  private labels = 0;
  private frameTop = 0;
  private maxFrame = 0;
  /** Spill slots in use at once, at most (placed below the frame by run()). */
  private spillSlots = 0;
  private live = new Set<Tmp>();
  private homes = new Map<LocalSymbol, Home>();
  /** Stack copies of map-reference locals given values of their own (`v++` after a null check). */
  private copySlots = new Map<LocalSymbol, number>();
  private fnStack: FnFrame[] = [];
  private loops: LoopFrame[] = [];
  private readonly alu32: boolean;
  private readonly v4: boolean;
  private stopLabel = 0;
  private exitLabel = 0;
  private usesStartedFlag = false;
  private strings: { symbol: string; bytes: Uint8Array }[] = [];
  private dataRefs = new Map<string, number>();
  /** Data section → the callee-saved register holding its base address. */
  private baseRegs = new Map<string, number>();
  /** Callee-saved registers no local was given (opt ≥ 2). */
  private spareCalleeSaved: number[] = [];
  private needsPerfmon = false;
  /** Set while a call is lowered as a condition: the bool-from-r0 builtins report here. */
  private condCapture: CondCapture | undefined;
  private currentCall: ast.CallExpr | undefined;
  /** linux-7.1: the plumbing's stack slots (set by program71). */
  private s71: Slots71 | undefined;

  constructor(
    private readonly p: CheckedProgram,
    private readonly names: SymbolNames,
    private readonly options: LowerOptions,
    sourceText: string,
  ) {
    this.alu32 = mcpuLevel(p.mcpu) >= 3;
    this.v4 = mcpuLevel(p.mcpu) >= 4;
    void sourceText;
  }

  run(): { lowered?: LoweredProgram; diagnostics: Diagnostic[] } {
    try {
      this.program();
    } catch (e) {
      if (e instanceof LowerError) return { diagnostics: [e.diag] };
      throw e;
    }
    this.placeSpills();
    if (this.maxFrame > MAX_STACK) {
      return {
        diagnostics: [
          {
            code: CodegenCodes.stackTooLarge,
            severity: "error",
            message: `program '${this.p.name}' needs ${this.maxFrame} bytes of stack; BPF allows ${MAX_STACK}`,
            range: this.p.ast.range,
            hint: "move large locals into a map or a global",
          },
        ],
      };
    }
    return {
      lowered: {
        items: this.items,
        frameSize: this.maxFrame,
        usesStartedFlag: this.usesStartedFlag,
        strings: this.strings,
        dataRefs: this.dataRefs,
        needsPerfmon: this.needsPerfmon,
      },
      diagnostics: [],
    };
  }

  // ---- emission helpers ------------------------------------------------------------------

  private fail(message: string, range?: SourceRange): never {
    throw new LowerError({
      code: CodegenCodes.unsupported,
      severity: "error",
      message,
      ...(range ? { range } : { file: this.p.file }),
    });
  }
  private emit(insn: Instruction, extra: { target?: number; sym?: string } = {}): void {
    this.items.push({ k: "insn", insn, ...extra });
  }
  private newLabel(): number {
    return ++this.labels;
  }
  /** A join point: a temporary's register copy is valid on one path only, so use its slot. */
  private label(id: number): void {
    this.items.push({ k: "label", id });
    for (const t of this.live) if (t.slot !== undefined) t.reg = undefined;
  }
  private jumpTo(label: number): void {
    this.emit(ja(), { target: label });
  }
  private line(range: SourceRange): void {
    this.items.push({ k: "line", line: range.start.line, col: range.start.col });
  }

  /**
   * A stack slot for a spilled register (a temporary evicted or parked across a call). Spill
   * slots have their own region below the frame, never shared with statement scratch: a
   * spilled pointer (a map address) partly overwritten by a later statement's narrower store
   * into the same scratch bytes is refused by the unprivileged kernel ("attempt to corrupt
   * spilled pointer on stack"). Offsets are placeholders until placeSpills().
   */
  private allocSpill(taken: ReadonlySet<number> = new Set()): number {
    const used = new Set<number>(taken);
    for (const t of this.live) if (t.slot !== undefined && t.slot <= SPILL_BASE) used.add(t.slot);
    let k = 0;
    while (used.has(SPILL_BASE - 8 * k)) k++;
    if (k + 1 > this.spillSlots) this.spillSlots = k + 1;
    return SPILL_BASE - 8 * k;
  }
  private placeSpills(): void {
    if (this.spillSlots === 0) return;
    const base = Math.ceil(this.maxFrame / 8) * 8;
    for (const it of this.items)
      if (it.k === "insn" && it.insn.off <= SPILL_BASE)
        it.insn.off = -(base + 8 * ((SPILL_BASE - it.insn.off) / 8 + 1));
    this.maxFrame = base + 8 * this.spillSlots;
  }

  private alloc(size: number, align = 8): number {
    const a = Math.max(align, 1);
    this.frameTop = Math.ceil((this.frameTop + size) / a) * a;
    if (this.frameTop > this.maxFrame) this.maxFrame = this.frameTop;
    return -this.frameTop;
  }

  // ---- temporaries -----------------------------------------------------------------------

  private freeReg(): number | undefined {
    const used = new Set<number>();
    for (const t of this.live) if (t.reg !== undefined) used.add(t.reg);
    return TEMP_POOL.find((r) => !used.has(r));
  }
  private takeReg(): number {
    const r = this.freeReg();
    if (r !== undefined) return r;
    // Evict the oldest unpinned temporary to its stack slot.
    for (const t of this.live) {
      if (t.reg !== undefined && t.pinned === 0) {
        const reg = t.reg;
        this.spill(t);
        return reg;
      }
    }
    throw new Error("codegen: all temporaries pinned");
  }
  private spill(t: Tmp): void {
    if (t.reg === undefined) return;
    if (t.slot === undefined) t.slot = this.allocSpill();
    this.emit(stx("DW", R10, t.slot, t.reg));
    t.reg = undefined;
  }
  private newTmp(reg?: number): Tmp {
    const t = new Tmp(reg ?? this.takeReg());
    this.live.add(t);
    return t;
  }
  /** The register of a value, loading a spilled temporary or materialising an immediate. */
  private regOf(v: Val): number {
    if (v.k === "reg") return v.r;
    if (v.k === "tmp") {
      const t = v.t;
      if (t.reg === undefined) {
        t.pinned++;
        const r = this.takeReg();
        t.pinned--;
        t.reg = r;
        this.emit(ldx("DW", r, R10, t.slot!));
      }
      if (t.pendingExt !== undefined) {
        this.signExtend(t.reg, t.pendingExt);
        t.pendingExt = undefined;
        t.slot = undefined; // the spilled copy is the unextended value
      }
      return t.reg;
    }
    throw new Error("regOf(imm)");
  }
  /** The register without the pending sign extension (its low `pendingExt` bits are right). */
  private rawRegOf(v: Val): number {
    if (v.k === "tmp" && v.t.pendingExt !== undefined) {
      const pe = v.t.pendingExt;
      v.t.pendingExt = undefined;
      const r = this.regOf(v);
      v.t.pendingExt = pe;
      return r;
    }
    return this.regOf(v);
  }
  private release(v: Val | undefined): void {
    if (v && v.k === "tmp") this.live.delete(v.t);
  }
  private pin(v: Val): void {
    if (v.k === "tmp") v.t.pinned++;
  }
  private unpin(v: Val): void {
    if (v.k === "tmp") v.t.pinned--;
  }
  /** A temporary (writable) holding v. Reuses v when it already is one. */
  private toTmp(v: Val): Tmp {
    if (v.k === "tmp") {
      this.regOf(v);
      v.t.slot = undefined; // the caller writes it: the spilled copy goes stale
      return v.t;
    }
    if (v.k === "imm") {
      const t = this.newTmp();
      this.movImm(t.reg!, v.v);
      return t;
    }
    const t = this.newTmp();
    this.emit(alu("MOV", t.reg!, v.r));
    return t;
  }
  private movImm(r: number, v: bigint): void {
    if (fitsImm32(v)) this.emit(alu("MOV", r, { imm: Number(BigInt.asIntN(64, v)) }));
    else if (BigInt.asUintN(64, v) < 1n << 32n && this.alu32)
      this.emit(alu("MOV", r, { imm: Number(BigInt.asIntN(32, v)) }, false)); // mov32 zero-extends
    else this.emit(ldImm64(r, v));
  }
  /** Saves every live temporary before a call clobbers r0–r5 (except those in `keep`). */
  private beforeCall(keep: Tmp[] = []): void {
    for (const t of this.live) if (!keep.includes(t)) this.spill(t);
  }

  // ---- frame and homes -------------------------------------------------------------------

  private reachable(): CheckedFunction[] {
    const byName = new Map(this.p.functions.map((f) => [f.name, f]));
    const seen = new Set<string>();
    const order: CheckedFunction[] = [];
    const visit = (n: string): void => {
      if (seen.has(n)) return;
      seen.add(n);
      const f = byName.get(n);
      if (!f) return;
      order.push(f);
      for (const c of this.p.callGraph.get(n) ?? f.calls) visit(c);
    };
    if (this.p.entryPoints.onStart) visit(this.p.entryPoints.onStart.name);
    if (this.p.entryPoints.onCompletion) visit(this.p.entryPoints.onCompletion.name);
    return order;
  }

  /** Counts references to each local (weighted by loop depth) to pick register homes. */
  private countUses(fns: CheckedFunction[]): Map<LocalSymbol, number> {
    const uses = new Map<LocalSymbol, number>();
    const walk = (n: unknown, depth: number): void => {
      if (!n || typeof n !== "object") return;
      if (Array.isArray(n)) {
        for (let i = 0; i < n.length; i++) walk(n[i], depth);
        return;
      }
      const node = n as { kind?: string };
      if (node.kind === "Identifier") {
        const s = this.p.symbols.get(node as ast.Identifier);
        if (s?.kind === "local") uses.set(s, (uses.get(s) ?? 0) + 8 ** Math.min(depth, 3));
        return;
      }
      const loop =
        node.kind === "ForStmt" || node.kind === "WhileStmt" || node.kind === "DoWhileStmt";
      // Own enumerable fields, as Object.entries gives them, without an array per node (this
      // walk runs once per lowering, several lowerings per program).
      for (const k in node) {
        if (k === "range" || !Object.prototype.hasOwnProperty.call(node, k)) continue;
        walk((node as Record<string, unknown>)[k], depth + (loop ? 1 : 0));
      }
    };
    // onCompletion runs inside the reap loop.
    for (const f of fns) walk(f.decl.body, f.entry === "onCompletion" ? 1 : 0);
    return uses;
  }

  private assignHomes(fns: CheckedFunction[]): void {
    const uses = this.countUses(fns);
    const candidates: LocalSymbol[] = [];
    for (const f of fns) {
      for (const l of f.locals) {
        if (l.constValue !== undefined) continue;
        const t = l.type;
        if (t.kind === "nullable" && (t.base.kind === "int" || t.base.kind === "bool"))
          // Where `v++` after a null check puts the variable's own value (copyWrite); a home
          // slot, so statement scratch never reuses it.
          this.copySlots.set(l, this.alloc(8));
        if (t.kind === "struct" || t.kind === "array") {
          if (l.param) continue; // aliased to the argument at each call
          this.homes.set(l, {
            k: "stack",
            off: this.alloc(sizeOf(t), Math.max(8, alignOf(t))),
          });
          continue;
        }
        candidates.push(l);
      }
    }
    candidates.sort((a, b) => (uses.get(b) ?? 0) - (uses.get(a) ?? 0));
    const taken = new Set<number>(this.options.regs?.bases.values() ?? []);
    const regs = this.options.opt >= 2 ? CALLEE_SAVED.filter((r) => !taken.has(r)) : [];
    for (const l of candidates) {
      if ((uses.get(l) ?? 0) === 0 && !l.param) {
        this.homes.set(l, { k: "stack", off: this.alloc(8) });
        continue;
      }
      const r = regs.shift();
      this.homes.set(l, r !== undefined ? { k: "reg", r } : { k: "stack", off: this.alloc(8) });
    }
    this.spareCalleeSaved = regs;
  }

  // ---- the program skeleton (target plumbing) ---------------------------------------------

  private program(): void {
    const { onStart, onCompletion } = this.p.entryPoints;
    if (!onStart && !onCompletion) {
      throw new LowerError({
        code: CodegenCodes.noEntry,
        severity: "error",
        message: `program '${this.p.name}' has no entry point (onStart or onCompletion)`,
        file: this.p.file,
      });
    }
    if (targetCodegen(this.p.target).entry === "structOpsLoop") {
      this.program71();
      return;
    }
    const fns = this.reachable();
    const first = (onStart ?? onCompletion)!;
    this.line(first.decl.range);
    this.emit(alu("MOV", CTX, 1));
    this.exitLabel = this.newLabel();
    this.stopLabel = this.newLabel();
    const storeWaitNr = this.newLabel();
    const v2 = this.p.target.context.kind === "struct";
    const waitNr = contextField(this.p.target, "wait_nr");
    const waitIdx = contextField(this.p.target, "wait_idx");
    // CQE buffer first, so its slot is 8-aligned at a fixed place.
    const cqeBuf = onCompletion ? this.alloc(CQE_SIZE) : 0;
    let counterHome: Home | undefined;
    this.assignHomes(fns);
    // Loops inside the handler multiply the verifier's work by the reap bound: reap one CQE
    // per run then (the request re-runs at once while CQEs remain).
    const batch =
      this.options.reapBatch ??
      (onCompletion && this.hasLoop(onCompletion) ? 1 : DEFAULT_REAP_BATCH);
    if (onCompletion && batch > 1) {
      // On the stack: with the counter in a callee-saved register (as clang keeps it;
      // counting up or down, compared directly or through a copy) the kernel oracle's
      // strict mode (CAP_BPF only) gives up on nop-pump, ping and copy ("sequence of 8193
      // jumps is too complex", or the 1M-instruction limit) while lenient mode accepts
      // them. Strict mode also walks the mispredicted side of every branch whose outcome it
      // knows (the counter test is such a branch). On that walk it treats the compared register as
      // unknown: a register counter then never ends the loop ("infinite loop detected"; 32 of
      // the 66 test programs), while a stack counter is reloaded with its known value. The
      // stack costs 1–2 slots per program.
      // A program that calls a CAP_PERFMON-only helper is loaded with CAP_PERFMON, which
      // skips the speculative walk: there the counter can live in a spare register (as clang
      // keeps it), 2 slots less.
      const spare = this.options.counterInRegister ? this.spareCalleeSaved[0] : undefined;
      counterHome =
        spare !== undefined ? { k: "reg", r: spare } : { k: "stack", off: this.alloc(8) };
    }
    const base = this.frameTop;
    // Section base registers: loaded once, every global of the section is base + offset.
    for (const [sec, reg] of this.options.opt >= 2
      ? (this.options.regs?.bases ?? new Map<string, number>())
      : []) {
      const anchor = this.names.data?.anchors.get(sec);
      if (anchor === undefined) continue;
      this.baseRegs.set(sec, reg);
      this.emit(ldImm64(reg, 0n), { sym: anchor });
    }

    if (onStart) {
      const afterStart = this.newLabel();
      if (v2 && onCompletion) {
        // First run: a .bss byte that is 0 until onStart has run once.
        this.usesStartedFlag = true;
        const a = this.globalAddr(this.names.startedFlag, 1);
        const r = a.reg;
        this.emit(ldx("B", 2, r, a.off));
        this.emit(jmp("JNE", 2, { imm: 0 }), { target: afterStart });
        this.emit(st("B", r, a.off, 1));
      }
      this.inlineEntry(onStart, afterStart);
      this.label(afterStart);
    }
    if (onCompletion && v2 && waitNr && waitIdx) {
      const top = this.newLabel();
      const next = this.newLabel();
      const rearm = this.newLabel();
      if (counterHome) this.storeHome(counterHome, { k: "imm", v: 0n });
      this.label(top);
      this.line(onCompletion.decl.range);
      // reap_cqe(ctx, <the CQ this request waits on>, &cqe, 16)
      this.emit(alu("MOV", 1, CTX));
      this.emit(ldx(sizeName(waitIdx.size), 2, CTX, waitIdx.offset));
      this.emit(alu("MOV", 3, R10));
      this.emit(alu("ADD", 3, { imm: cqeBuf }));
      this.emit(alu("MOV", 4, { imm: CQE_SIZE }));
      this.emit(call(this.helper("iouring_reap_cqe")));
      this.emit(jmp("JSLT", R0, { imm: 0 }), { target: rearm });
      const param = onCompletion.params[0];
      if (param) this.homes.set(param, { k: "alias", base: { k: "reg", r: R10 }, off: cqeBuf });
      this.inlineEntry(onCompletion, next);
      this.label(next);
      if (counterHome?.k === "reg") {
        this.emit(alu("ADD", counterHome.r, { imm: 1 }));
        this.emit(jmp("JLT", counterHome.r, { imm: batch }), { target: top });
      } else if (counterHome) {
        const ct = this.toTmp(this.loadHome(counterHome));
        this.emit(alu("ADD", ct.reg!, { imm: 1 }));
        this.storeHome(counterHome, { k: "tmp", t: ct });
        this.emit(jmp("JLT", ct.reg!, { imm: batch }), { target: top });
        this.release({ k: "tmp", t: ct });
      }
      this.label(rearm);
      // Wait for one more CQE on the same CQ: wait_idx already names it.
      this.emit(alu("MOV", 1, { imm: 1 }));
      this.jumpTo(storeWaitNr);
    } else if (v2 && waitNr) {
      // onStart only: one run, then the request completes.
      this.jumpTo(this.stopLabel);
    } else {
      this.jumpTo(this.exitLabel);
    }
    this.frameTop = base;
    this.label(this.stopLabel);
    if (v2 && waitNr) {
      // Context fields are written from a register: kernels before 6.3 refuse BPF_ST
      // (store immediate) into the context, so r1 carries wait_nr (1 re-arms, 0 stops).
      this.emit(alu("MOV", 1, { imm: 0 }));
      this.label(storeWaitNr);
      this.emit(stx(sizeName(waitNr.size), CTX, waitNr.offset, 1));
    }
    this.label(this.exitLabel);
    this.emit(alu("MOV", R0, { imm: 0 }));
    this.emit(exit());
  }

  // ---- linux-7.1: one loop_step (docs/linux-7.1.md "The generated plumbing") ------------

  /** Whether the program calls a builtin of this kind anywhere. */
  private usesCallKind(kind: CallTarget["kind"]): boolean {
    for (const c of this.p.calls.values()) if (c.kind === kind) return true;
    return false;
  }
  private plumb(what: PlumbingWhat): string {
    return plumbingSymbol(this.p.name, what);
  }
  /** dst = the u32 .rodata geometry global (a verifier-known constant: .rodata is frozen). */
  private loadGeometry(dst: number, key: keyof typeof GEOMETRY): void {
    const a = this.globalAddr(GEOMETRY[key], dst);
    this.emit(ldx("W", dst, a.reg, a.off));
  }
  private kfunc(name: string): void {
    this.emit(kfuncCall(), { sym: name });
  }

  private program71(): void {
    const { onStart, onCompletion } = this.p.entryPoints;
    const fns = this.reachable();
    const first = (onStart ?? onCompletion)!;
    const walk = onCompletion !== undefined;
    const submits = this.usesCallKind("submit");
    this.line(first.decl.range);
    // Plumbing slots first, at fixed places below r10.
    const slot = (used: boolean, size = 8): number => (used ? this.alloc(size) : 0);
    const S: Slots71 = {
      lp: slot(walk),
      headPtr: slot(walk),
      head: slot(walk),
      tail: slot(walk),
      cqes: slot(walk),
      iter: slot(walk),
      sq: slot(submits),
      ret: slot(true),
      cqe: slot(walk, 16),
    };
    this.s71 = S;
    this.assignHomes(fns);
    const base = this.frameTop;
    for (const [sec, reg] of this.options.opt >= 2
      ? (this.options.regs?.bases ?? new Map<string, number>())
      : []) {
      const anchor = this.names.data?.anchors.get(sec);
      if (anchor === undefined) continue;
      this.baseRegs.set(sec, reg);
      this.emit(ldImm64(reg, 0n), { sym: anchor });
    }
    const fault = this.newLabel();
    const commit = this.newLabel();
    const walkDone = this.newLabel();
    // stop(): in onStart straight to the commit; in onCompletion through the walk's end,
    // which releases the iterator (the verifier requires it on every path).
    const stopStart = this.newLabel();
    const stopWalk = this.newLabel();
    this.stopLabel = stopStart;
    this.exitLabel = this.newLabel();
    // struct_ops programs get their arguments as an array of u64 (what libbpf's BPF_PROG
    // unpacks): args[0] = struct iou_ctx *, args[1] = struct iou_loop_params *.
    if (walk) {
      this.emit(ldx("DW", 2, 1, 8));
      this.emit(stx("DW", R10, S.lp, 2));
    }
    this.emit(ldx("DW", CTX, 1, 0));
    this.emit(st("DW", R10, S.ret, 0));
    // steps++
    {
      const a = this.globalAddr(this.plumb("steps"), 1);
      this.emit(ldx("W", 2, a.reg, a.off));
      this.emit(alu("ADD", 2, { imm: 1 }, false));
      this.emit(stx("W", a.reg, a.off, 2));
    }
    if (walk) {
      // cq = get_region(ctx, CQ, cqes_off + cq_entries * 16)
      this.loadGeometry(3, "cqEntries");
      this.emit(alu("LSH", 3, { imm: 4 }));
      this.loadGeometry(2, "cqesOff");
      this.emit(alu("ADD", 3, 2));
      this.emit(alu("MOV", 1, CTX));
      this.emit(alu("MOV", 2, { imm: REGION_CQ }));
      this.kfunc(KFUNC_GET_REGION);
      this.emit(jmp("JEQ", R0, { imm: 0 }), { target: fault });
      // Pointers at constant offsets into the region, and head/tail as of this step.
      this.loadGeometry(2, "cqHeadOff");
      this.emit(alu("MOV", 1, R0));
      this.emit(alu("ADD", 1, 2));
      this.emit(stx("DW", R10, S.headPtr, 1));
      this.emit(ldx("W", 1, 1, 0));
      this.emit(stx("DW", R10, S.head, 1));
      this.loadGeometry(2, "cqTailOff");
      this.emit(alu("MOV", 1, R0));
      this.emit(alu("ADD", 1, 2));
      this.emit(ldx("W", 1, 1, 0));
      this.emit(stx("DW", R10, S.tail, 1));
      this.loadGeometry(2, "cqesOff");
      this.emit(alu("ADD", R0, 2));
      this.emit(stx("DW", R10, S.cqes, R0));
    }
    if (submits) {
      // sq = get_region(ctx, SQ, sq_entries * 64)
      this.loadGeometry(3, "sqEntries");
      this.emit(alu("LSH", 3, { imm: 6 }));
      this.emit(alu("MOV", 1, CTX));
      this.emit(alu("MOV", 2, { imm: REGION_SQ }));
      this.kfunc(KFUNC_GET_REGION);
      this.emit(jmp("JEQ", R0, { imm: 0 }), { target: fault });
      this.emit(stx("DW", R10, S.sq, R0));
      // The step's SQE count lives in .bss, not on the stack: loaded from memory it is an
      // unknown scalar the bounds check ranges, so the verifier's loop states converge
      // (a precise count would make it walk the CQ loop once per possible value).
      const a = this.globalAddr(this.plumb("sq_used"), 1);
      this.emit(st("W", a.reg, a.off, 0));
    }
    if (onStart) {
      const afterStart = this.newLabel();
      const a = this.globalAddr(this.plumb("started"), 1);
      this.emit(ldx("B", 2, a.reg, a.off));
      this.emit(jmp("JNE", 2, { imm: 0 }), { target: walk ? afterStart : this.stopLabel });
      this.emit(st("B", a.reg, a.off, 1));
      this.inlineEntry(onStart, afterStart);
      this.label(afterStart);
    }
    if (walk) {
      const top = this.newLabel();
      const next = this.newLabel();
      const batch = this.options.cqBatch ?? DEFAULT_CQ_BATCH;
      // An open-coded iterator (bpf_iter_num, kfuncs of every program type since 6.4)
      // bounds the walk: the verifier checks the body until its states converge instead of
      // once per iteration, which keeps a 64-CQE walk far below its 1M-instruction budget.
      this.emit(alu("MOV", 1, R10));
      this.emit(alu("ADD", 1, { imm: S.iter }));
      this.emit(alu("MOV", 2, { imm: 0 }));
      this.emit(alu("MOV", 3, { imm: batch }));
      this.kfunc(KFUNC_ITER_NEW);
      this.label(top);
      this.line(onCompletion.decl.range);
      this.emit(alu("MOV", 1, R10));
      this.emit(alu("ADD", 1, { imm: S.iter }));
      this.kfunc(KFUNC_ITER_NEXT);
      this.emit(jmp("JEQ", R0, { imm: 0 }), { target: walkDone });
      this.emit(ldx("DW", 1, R10, S.head));
      this.emit(ldx("DW", 2, R10, S.tail));
      this.emit(jmp("JEQ", 1, 2), { target: walkDone });
      // The head moves past this CQE before the handler runs (a stop() in it keeps it used).
      this.emit(alu("MOV", 2, 1));
      this.emit(alu("ADD", 2, { imm: 1 }, false));
      this.emit(stx("DW", R10, S.head, 2));
      // cqe = cqes + (head & (cq_entries - 1)) * 16, copied to the stack for the handler.
      this.loadGeometry(3, "cqEntries");
      this.emit(alu("ADD", 3, { imm: -1 }));
      this.emit(alu("AND", 1, 3));
      this.emit(alu("LSH", 1, { imm: 4 }));
      this.emit(ldx("DW", 2, R10, S.cqes));
      this.emit(alu("ADD", 2, 1));
      this.emit(ldx("DW", 1, 2, 0));
      this.emit(stx("DW", R10, S.cqe, 1));
      this.emit(ldx("DW", 1, 2, 8));
      this.emit(stx("DW", R10, S.cqe + 8, 1));
      // A CQE without IORING_CQE_F_MORE retires one request in flight.
      const more = this.newLabel();
      this.emit(alu("RSH", 1, { imm: 32 }));
      this.emit(jmp("JSET", 1, { imm: CQE_F_MORE }), { target: more });
      {
        const a = this.globalAddr(this.plumb("inflight"), 1);
        this.emit(ldx("W", 2, a.reg, a.off));
        this.emit(alu("ADD", 2, { imm: -1 }, false));
        this.emit(stx("W", a.reg, a.off, 2));
      }
      this.label(more);
      const param = onCompletion.params[0];
      if (param) this.homes.set(param, { k: "alias", base: { k: "reg", r: R10 }, off: S.cqe });
      this.stopLabel = stopWalk;
      this.inlineEntry(onCompletion, next);
      this.label(next);
      this.jumpTo(top);
      this.label(stopWalk);
      this.emit(st("DW", R10, S.ret, IOU_LOOP_STOP));
      this.label(walkDone);
      this.emit(alu("MOV", 1, R10));
      this.emit(alu("ADD", 1, { imm: S.iter }));
      this.kfunc(KFUNC_ITER_DESTROY);
      this.jumpTo(commit);
    } else {
      // onStart only: one step, then the CQEs are user space's.
      this.jumpTo(this.stopLabel);
    }
    this.frameTop = base;
    this.label(stopStart);
    this.emit(st("DW", R10, S.ret, IOU_LOOP_STOP));
    this.label(commit);
    if (walk) {
      this.emit(ldx("DW", 1, R10, S.headPtr));
      this.emit(ldx("DW", 2, R10, S.head));
      this.emit(stx("W", 1, 0, 2));
    }
    const decide = this.newLabel();
    if (submits) {
      // ONE submit_sqes per step for the SQEs written at 0..nsq-1 (SQ_REWIND).
      const subErr = this.newLabel();
      const u = this.globalAddr(this.plumb("sq_used"), 1);
      this.emit(ldx("W", 2, u.reg, u.off));
      this.emit(jmp("JEQ", 2, { imm: 0 }), { target: decide });
      this.emit(alu("MOV", 1, CTX));
      this.kfunc(KFUNC_SUBMIT_SQES);
      this.emit(jmp("JSLT", R0, { imm: 0 }), { target: subErr });
      const a = this.globalAddr(this.plumb("inflight"), 1);
      this.emit(ldx("W", 2, a.reg, a.off));
      this.emit(alu("ADD", 2, R0, false));
      this.emit(stx("W", a.reg, a.off, 2));
      this.jumpTo(decide);
      this.label(subErr);
      const e = this.globalAddr(this.plumb("error"), 1);
      this.emit(stx("W", e.reg, e.off, R0));
      this.emit(st("DW", R10, S.ret, IOU_LOOP_STOP));
    }
    this.label(decide);
    this.emit(ldx("DW", R0, R10, S.ret));
    if (walk) {
      const idle = this.newLabel();
      const setWait = this.newLabel();
      this.emit(jmp("JNE", R0, { imm: 0 }), { target: this.exitLabel });
      // cq_wait_idx: head while CQEs wait, head + 1 while requests are in flight.
      this.emit(ldx("DW", 1, R10, S.head));
      this.emit(ldx("DW", 2, R10, S.tail));
      this.emit(jmp("JNE", 1, 2), { target: setWait });
      const a = this.globalAddr(this.plumb("inflight"), 2);
      this.emit(ldx("W", 2, a.reg, a.off));
      this.emit(jmp("JEQ", 2, { imm: 0 }), { target: idle });
      this.emit(alu("ADD", 1, { imm: 1 }, false));
      this.label(setWait);
      this.emit(ldx("DW", 2, R10, S.lp));
      this.emit(stx("W", 2, 0, 1));
      this.emit(alu("MOV", R0, { imm: 0 }));
      this.jumpTo(this.exitLabel);
      // Nothing waiting, nothing in flight: no completion can come, so stop.
      this.label(idle);
      const i = this.globalAddr(this.plumb("idle"), 1);
      this.emit(st("B", i.reg, i.off, 1));
      this.emit(alu("MOV", R0, { imm: IOU_LOOP_STOP }));
    }
    this.jumpTo(this.exitLabel);
    this.label(fault);
    {
      const a = this.globalAddr(this.plumb("error"), 1);
      this.emit(st("W", a.reg, a.off, -EFAULT));
      this.emit(alu("MOV", R0, { imm: IOU_LOOP_STOP }));
    }
    this.label(this.exitLabel);
    this.emit(exit());
  }

  /** linux-7.1 submit: the SQE goes straight into the next SQ slot; false when all are used. */
  private submit71(
    image: Uint8Array,
    fields: { off: number; size: number; val: Val }[],
    want: boolean,
  ): Val | undefined {
    const S = this.s71!;
    // Outer temporaries go to their slots: the full path skips the stores below.
    this.beforeCall(fields.flatMap((f) => (f.val.k === "tmp" ? [f.val.t] : [])));
    // Unpinned, a field value may move to its slot here, before the branch (both paths).
    for (const f of fields) this.unpin(f.val);
    const full = this.newLabel();
    // Lowered as a condition: branch to its target here instead of making a bool.
    const cap = want && this.condCapture?.call === this.currentCall ? this.condCapture : undefined;
    const n = this.newTmp();
    n.pinned++;
    const lim = this.newTmp();
    // The count's address: a section base register, or ut.
    const ut = this.newTmp();
    ut.pinned++;
    const u = this.globalAddr(this.plumb("sq_used"), ut.reg!);
    this.emit(ldx("W", n.reg!, u.reg, u.off));
    const a = this.globalAddr(GEOMETRY.sqEntries, lim.reg!);
    this.emit(ldx("W", lim.reg!, a.reg, a.off));
    this.emit(jmp("JGE", n.reg!, lim.reg!), { target: cap && !cap.when ? cap.target : full });
    this.emit(alu("MOV", lim.reg!, n.reg!));
    this.emit(alu("ADD", lim.reg!, { imm: 1 }));
    this.emit(stx("W", u.reg, u.off, lim.reg!));
    ut.pinned--;
    this.live.delete(ut);
    this.emit(alu("LSH", n.reg!, { imm: 6 }));
    this.emit(ldx("DW", lim.reg!, R10, S.sq));
    this.emit(alu("ADD", lim.reg!, n.reg!));
    n.pinned--;
    this.live.delete(n);
    this.writeImage({ base: { k: "tmp", t: lim }, off: 0 }, image, fields);
    this.live.delete(lim);
    if (!want) {
      this.label(full);
      return undefined;
    }
    if (cap) {
      // As a condition: the full path is the false outcome, the stores the true one.
      cap.done = true;
      if (cap.when) {
        this.jumpTo(cap.target);
        this.label(full);
      }
      return { k: "imm", v: 0n };
    }
    const end = this.newLabel();
    const res = this.newTmp();
    this.emit(alu("MOV", res.reg!, { imm: 1 }));
    this.jumpTo(end);
    this.label(full);
    this.emit(alu("MOV", res.reg!, { imm: 0 }));
    this.label(end);
    return { k: "tmp", t: res };
  }

  /** linux-7.1 emit: a 16-byte CQE-shaped record into the iou_emit ring buffer. */
  private emit71(fields: SqeFieldValue[], want: boolean): Val | undefined {
    const image = new Uint8Array(EMIT_RECORD_SIZE);
    const runtime: { off: number; size: number; val: Val }[] = [];
    const place: Record<string, { off: number; size: number }> = {
      userData: { off: 0, size: 8 },
      res: { off: 8, size: 4 },
      flags: { off: 12, size: 4 },
    };
    for (const f of fields) {
      const pl = place[f.name];
      if (!pl) continue;
      const c = f.constant ?? this.constOf(f.value);
      if (c !== undefined) {
        let y = BigInt.asUintN(pl.size * 8, typeof c === "boolean" ? (c ? 1n : 0n) : c);
        for (let i = 0; i < pl.size; i++) {
          image[pl.off + i] = Number(y & 0xffn);
          y >>= 8n;
        }
      } else {
        const v = this.expr(f.value);
        this.pin(v);
        runtime.push({ ...pl, val: v });
      }
    }
    for (const f of runtime) this.unpin(f.val);
    const buf = this.alloc(EMIT_RECORD_SIZE);
    this.writeImage({ base: { k: "reg", r: R10 }, off: buf }, image, runtime);
    const map = this.newTmp();
    this.emit(ldImm64(map.reg!, 0n), { sym: EMIT_MAP });
    const r0 = this.callHelper(this.helper("ringbuf_output"), [
      { k: "tmp", t: map },
      this.stackPtr(buf),
      { k: "imm", v: BigInt(EMIT_RECORD_SIZE) },
      { k: "imm", v: 0n },
    ]);
    return this.okResult(r0, want, "JEQ", 0);
  }

  /**
   * The address of a global by symbol name in a fixed register (r1 when its section has no
   * base register).
   */
  private globalAddr(name: string, scratch: number): { reg: number; off: number } {
    const place = this.names.data?.places.get(name);
    if (place) this.dataRefs.set(place.section, (this.dataRefs.get(place.section) ?? 0) + 1);
    const br = place && this.baseRegs.get(place.section);
    if (br !== undefined) return { reg: br, off: place!.offset };
    this.emit(ldImm64(scratch, 0n), { sym: name });
    return { reg: scratch, off: 0 };
  }

  /** Whether fn, or a function it calls, contains a loop. */
  private hasLoop(fn: CheckedFunction): boolean {
    const byName = new Map(this.p.functions.map((f) => [f.name, f]));
    const seen = new Set<string>();
    const visit = (f: CheckedFunction): boolean => {
      if (seen.has(f.name)) return false;
      seen.add(f.name);
      if (
        /"kind":"(ForStmt|WhileStmt|DoWhileStmt)"/.test(
          JSON.stringify(f.decl.body, (k, v) =>
            k === "range" ? undefined : typeof v === "bigint" ? 0 : v,
          ),
        )
      )
        return true;
      return (this.p.callGraph.get(f.name) ?? f.calls).some((c) => {
        const g = byName.get(c);
        return g ? visit(g) : false;
      });
    };
    return visit(fn);
  }

  private helper(name: string): number {
    const h = helperProto(this.p.target, name);
    if (!h) this.fail(`${this.p.target.name} has no helper ${name}`);
    if (h.perfmonOnly) this.needsPerfmon = true;
    return h.id;
  }

  private inlineEntry(fn: CheckedFunction, exitLabel: number): void {
    this.fnStack.push({ fn, exitLabel });
    this.block(fn.decl.body.body);
    this.fnStack.pop();
  }

  // ---- statements ------------------------------------------------------------------------

  private block(stmts: ast.Stmt[]): void {
    for (const s of stmts) this.stmt(s);
  }

  private stmt(s: ast.Stmt): void {
    const mark = this.frameTop;
    if (s.kind !== "Block") this.line(s.range);
    switch (s.kind) {
      case "Block":
        this.block(s.body);
        break;
      case "EmptyStmt":
        break;
      case "ExprStmt":
        this.effect(s.expr);
        break;
      case "VarDecl":
        for (const d of s.declarators) this.varDecl(d);
        break;
      case "IfStmt": {
        const elseL = this.newLabel();
        this.branch(s.test, elseL, false);
        this.stmt(s.consequent);
        if (s.alternate) {
          const end = this.newLabel();
          this.jumpTo(end);
          this.label(elseL);
          this.stmt(s.alternate);
          this.label(end);
        } else this.label(elseL);
        break;
      }
      case "WhileStmt": {
        const top = this.newLabel();
        const end = this.newLabel();
        this.label(top);
        this.branch(s.test, end, false);
        this.loops.push({ breakLabel: end, continueLabel: top });
        this.stmt(s.body);
        this.loops.pop();
        this.jumpTo(top);
        this.label(end);
        break;
      }
      case "DoWhileStmt": {
        const top = this.newLabel();
        const cont = this.newLabel();
        const end = this.newLabel();
        this.label(top);
        this.loops.push({ breakLabel: end, continueLabel: cont });
        this.stmt(s.body);
        this.loops.pop();
        this.label(cont);
        this.branch(s.test, top, true);
        this.label(end);
        break;
      }
      case "ForStmt": {
        if (s.init) {
          if (s.init.kind === "VarDecl") for (const d of s.init.declarators) this.varDecl(d);
          else this.effect(s.init);
        }
        const top = this.newLabel();
        const cont = this.newLabel();
        const end = this.newLabel();
        this.label(top);
        if (s.test) this.branch(s.test, end, false);
        this.loops.push({ breakLabel: end, continueLabel: cont });
        this.stmt(s.body);
        this.loops.pop();
        this.label(cont);
        if (s.update) this.effect(s.update);
        this.jumpTo(top);
        this.label(end);
        break;
      }
      case "BreakStmt":
        this.jumpTo(this.loops[this.loops.length - 1]!.breakLabel);
        break;
      case "ContinueStmt": {
        for (let i = this.loops.length - 1; i >= 0; i--) {
          const c = this.loops[i]!.continueLabel;
          if (c !== undefined) {
            this.jumpTo(c);
            break;
          }
        }
        break;
      }
      case "ReturnStmt": {
        const f = this.fnStack[this.fnStack.length - 1]!;
        if (s.value) {
          const v = this.expr(s.value);
          if (f.resultSlot !== undefined)
            this.storeMem({ base: { k: "reg", r: R10 }, off: f.resultSlot }, INT_TYPES.u64, v);
          this.release(v);
        }
        this.jumpTo(f.exitLabel);
        break;
      }
      case "SwitchStmt":
        this.switchStmt(s);
        break;
    }
    this.frameTop = mark;
  }

  private switchStmt(s: ast.SwitchStmt): void {
    const d = this.expr(s.discriminant);
    const end = this.newLabel();
    const labels = s.cases.map(() => this.newLabel());
    let defaultLabel = end;
    const dt = d.k === "imm" ? undefined : this.toTmpOrReg(d);
    // The first case is tested last: `if d == K0 goto L0; goto default; L0:` then becomes
    // one inverted branch.
    const order = s.cases.map((_, i) => i);
    if (order.length > 1 && s.cases[0]!.test) order.push(order.shift()!);
    order.forEach((i) => {
      const c = s.cases[i]!;
      if (!c.test) {
        defaultLabel = labels[i]!;
        return;
      }
      const cv = this.constOf(c.test);
      if (cv === undefined) this.fail("switch case labels must be constants", c.test.range);
      if (dt === undefined) {
        if ((d as { v: bigint }).v === cv) this.jumpTo(labels[i]!);
      } else this.cmpJump("JEQ", dt, { k: "imm", v: cv }, labels[i]!, false, true);
    });
    if (dt) this.release(dt);
    this.jumpTo(defaultLabel);
    this.loops.push({ breakLabel: end });
    s.cases.forEach((c, i) => {
      this.label(labels[i]!);
      this.block(c.body);
    });
    this.loops.pop();
    this.label(end);
  }

  private toTmpOrReg(v: Val): Val {
    if (v.k === "imm") return { k: "tmp", t: this.toTmp(v) };
    return v;
  }

  private varDecl(d: ast.VarDeclarator): void {
    const sym = this.p.symbols.get(d.name);
    if (!sym || sym.kind !== "local" || sym.constValue !== undefined) return;
    const home = this.homes.get(sym);
    if (!home) return;
    const t = sym.type;
    if (t.kind === "struct" || t.kind === "array") {
      const a = this.homeAddr(home);
      if (d.init) this.storeAggregate(a, t, d.init);
      else this.zeroMem(a, sizeOf(t));
      return;
    }
    const v: Val = d.init ? this.expr(d.init) : { k: "imm", v: 0n };
    this.storeHome(home, v);
    this.release(v);
  }

  // ---- homes -----------------------------------------------------------------------------

  private homeAddr(h: Home): Addr {
    if (h.k === "stack") return { base: { k: "reg", r: R10 }, off: h.off };
    if (h.k === "alias") return { base: h.base, off: h.off };
    this.fail("internal: address of a register home");
  }
  private loadHome(h: Home): Val {
    if (h.k === "reg") return { k: "reg", r: h.r };
    const t = this.newTmp();
    this.emit(ldx("DW", t.reg!, R10, (h as { off: number }).off));
    return { k: "tmp", t };
  }
  private storeHome(h: Home, v: Val): void {
    if (h.k === "reg") {
      if (v.k === "imm") this.movImm(h.r, v.v);
      else {
        const r = this.regOf(v);
        if (r !== h.r) this.emit(alu("MOV", h.r, r));
      }
      return;
    }
    this.storeMem(this.homeAddr(h), INT_TYPES.u64, v);
  }

  // ---- memory ----------------------------------------------------------------------------

  private baseReg(a: Addr): number {
    return this.regOf(a.base);
  }
  /** Loads a scalar of type t from memory into a canonical register value. */
  private loadMem(a: Addr, t: IntType): Val {
    this.pin(a.base);
    const b = this.baseReg(a);
    const dst = this.newTmp();
    this.unpin(a.base);
    const size = sizeName(INT_BYTES(t));
    if (t.signed && t.bits < 64 && this.v4) this.emit(ldx(size, dst.reg!, b, a.off, true));
    else {
      this.emit(ldx(size, dst.reg!, b, a.off));
      if (t.signed && t.bits < 64) {
        dst.pendingExt = t.bits;
        dst.zx = true;
      }
    }
    return { k: "tmp", t: dst };
  }
  private storeMem(a: Addr, t: IntType, v: Val): void {
    const bytes = INT_BYTES(t);
    const size = sizeName(bytes);
    this.pin(a.base);
    if (v.k === "imm" && (bytes < 8 || fitsImm32(v.v))) {
      const b = this.baseReg(a);
      this.emit(st(size, b, a.off, Number(BigInt.asIntN(32, v.v))));
    } else {
      const vv: Val = v.k === "imm" ? { k: "tmp", t: this.toTmp(v) } : v;
      this.pin(vv);
      const narrowOk =
        vv.k === "tmp" && vv.t.pendingExt !== undefined && bytes * 8 <= vv.t.pendingExt;
      const r = narrowOk ? this.rawRegOf(vv) : this.regOf(vv);
      const b = this.baseReg(a);
      this.unpin(vv);
      this.emit(stx(size, b, a.off, r));
      if (v.k === "imm") this.release(vv);
    }
    this.unpin(a.base);
  }
  private zeroMem(a: Addr, size: number): void {
    this.writeImage(a, new Uint8Array(size), []);
  }

  /**
   * Writes `size` bytes at `a`: constant bytes from `image` in as few immediate stores as
   * alignment allows, and runtime fields (which overwrite their ranges) with register stores.
   */
  private writeImage(
    a: Addr,
    image: Uint8Array,
    fields: { off: number; size: number; val: Val }[],
  ): void {
    const runtime = new Uint8Array(image.length);
    for (const f of fields) runtime.fill(1, f.off, f.off + f.size);
    this.pin(a.base);
    let p = 0;
    while (p < image.length) {
      if (runtime[p]) {
        p++;
        continue;
      }
      let size = 8;
      while (
        size > 1 &&
        (p % size !== 0 ||
          p + size > image.length ||
          runtime.subarray(p, p + size).some((x) => x !== 0))
      )
        size /= 2;
      let value = 0n;
      for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(image[p + i]!);
      if (size === 8 && !fitsImm32(value)) {
        // Two 32-bit immediates beat ld_imm64 + stx (2 insns in 2 slots against 3).
        const b = this.baseReg(a);
        this.emit(st("W", b, a.off + p, Number(BigInt.asIntN(32, value & 0xffffffffn))));
        this.emit(st("W", b, a.off + p + 4, Number(BigInt.asIntN(32, value >> 32n))));
      } else {
        const b = this.baseReg(a);
        this.emit(
          st(
            sizeName(size),
            b,
            a.off + p,
            Number(BigInt.asIntN(32, BigInt.asIntN(size * 8, value))),
          ),
        );
      }
      p += size;
    }
    for (const f of fields) {
      this.storeMem({ base: a.base, off: a.off + f.off }, intOfSize(f.size), f.val);
      this.release(f.val);
    }
    this.unpin(a.base);
  }

  /** Stores a struct/array value (object literal or another aggregate) at `a`. */
  private storeAggregate(a: Addr, t: DataType, e: ast.Expr): void {
    const x = unparen(e);
    if (x.kind === "ObjectLiteral" && t.kind === "struct") {
      const image = new Uint8Array(t.size);
      const fields: { off: number; size: number; val: Val }[] = [];
      this.flattenLiteral(x, t, 0, image, fields);
      this.writeImage(a, image, fields);
      return;
    }
    // Copy from another aggregate, 8 bytes at a time where alignment allows.
    const src = this.addrOf(e);
    this.copyMem(a, src, sizeOf(t));
    this.release(src.base);
  }
  private copyMem(dst: Addr, src: Addr, size: number): void {
    this.pin(dst.base);
    this.pin(src.base);
    let p = 0;
    const tmp = this.newTmp();
    tmp.pinned++;
    while (p < size) {
      let s = 8;
      while (s > 1 && (p % s !== 0 || p + s > size)) s /= 2;
      this.emit(ldx(sizeName(s), tmp.reg!, this.baseReg(src), src.off + p));
      this.emit(stx(sizeName(s), this.baseReg(dst), dst.off + p, tmp.reg!));
      p += s;
    }
    tmp.pinned--;
    this.live.delete(tmp);
    this.unpin(dst.base);
    this.unpin(src.base);
  }

  private flattenLiteral(
    lit: ast.ObjectLiteral,
    t: StructType,
    base: number,
    image: Uint8Array,
    fields: { off: number; size: number; val: Val }[],
  ): void {
    for (const prop of lit.properties) {
      const f = t.fields.find((ff) => ff.name === prop.key.name);
      if (!f) continue;
      const off = base + f.offset;
      const v = unparen(prop.value);
      if (f.type.kind === "struct") {
        if (v.kind === "ObjectLiteral") this.flattenLiteral(v, f.type, off, image, fields);
        else
          this.fail(
            "a struct field must be initialised with an object literal here",
            prop.value.range,
          );
        continue;
      }
      if (f.type.kind === "array")
        this.fail("array fields cannot be initialised in an object literal yet", prop.value.range);
      const size = sizeOf(f.type);
      const c = this.constOf(prop.value);
      if (c !== undefined) {
        let x = BigInt.asUintN(size * 8, c);
        for (let i = 0; i < size; i++) {
          image[off + i] = Number(x & 0xffn);
          x >>= 8n;
        }
      } else fields.push({ off, size, val: this.expr(prop.value) });
    }
  }

  // ---- addresses -------------------------------------------------------------------------

  /** The address of an lvalue of aggregate type or a field/element. */
  private addrOf(e: ast.Expr): Addr {
    const x = unparen(e);
    switch (x.kind) {
      case "Identifier": {
        const s = this.p.symbols.get(x);
        if (s?.kind === "local") {
          const h = this.homes.get(s);
          if (!h) this.fail(`internal: no home for '${s.name}'`, x.range);
          if (s.type.kind === "nullable") {
            // A map reference: the home holds the pointer.
            if (h.k === "reg") return { base: { k: "reg", r: h.r }, off: 0 };
            return { base: this.loadHome(h), off: 0 };
          }
          return this.homeAddr(h);
        }
        if (s?.kind === "global") {
          const name = this.names.global(s);
          const place = this.names.data?.places.get(name);
          const br = place && this.baseRegs.get(place.section);
          if (place) this.dataRefs.set(place.section, (this.dataRefs.get(place.section) ?? 0) + 1);
          if (br !== undefined) return { base: { k: "reg", r: br }, off: place!.offset };
          const t = this.newTmp();
          this.emit(ldImm64(t.reg!, 0n), { sym: name });
          return { base: { k: "tmp", t }, off: 0 };
        }
        this.fail(`'${x.name}' has no address`, x.range);
        break;
      }
      case "MemberExpr": {
        const m = this.p.members.get(x);
        if (!m || m.kind !== "field") this.fail("not a field", x.range);
        const f = m.struct.fields.find((ff) => ff.name === m.field)!;
        const a = this.addrOf(x.object);
        return { base: a.base, off: a.off + f.offset };
      }
      case "IndexExpr": {
        const at = this.p.types.get(x.object);
        const arr =
          at && at.kind === "array"
            ? at
            : at && at.kind === "nullable" && at.base.kind === "array"
              ? at.base
              : undefined;
        if (!arr) this.fail("indexing needs a FixedArray", x.range);
        const es = sizeOf(arr.element);
        const a = this.addrOf(x.object);
        const ci = this.constOf(x.index);
        if (ci !== undefined) return { base: a.base, off: a.off + Number(ci) * es };
        this.pin(a.base);
        const iv = this.expr(x.index);
        const it = this.toTmp(iv);
        // Out-of-range index: the run ends (the verifier needs the bound anyway). linux-7.1's
        // exit label returns whatever r0 holds and the walk's iterator is still live, so
        // there the run ends through stop(), which releases the iterator and returns STOP.
        this.emit(jmp("JGE", it.reg!, { imm: arr.length }), {
          target: this.s71 ? this.stopLabel : this.exitLabel,
        });
        if (a.base.k === "reg" && a.base.r === R10 && arr.length <= STACK_INDEX_CHAIN) {
          // A stack array: no variable stack offset (E6024; the unprivileged kernel forbids
          // it too). Step a constant-offset pointer once per element below the index, so
          // every path holds fp + a constant.
          it.pinned++;
          const p = this.newTmp();
          const ir = this.regOf({ k: "tmp", t: it });
          this.emit(alu("MOV", p.reg!, R10));
          this.emit(alu("ADD", p.reg!, { imm: a.off }));
          const done = this.newLabel();
          for (let k = 1; k < arr.length; k++) {
            this.emit(jmp("JLT", ir, { imm: k }), { target: done });
            this.emit(alu("ADD", p.reg!, { imm: es }));
          }
          this.label(done);
          it.pinned--;
          this.release({ k: "tmp", t: it });
          return { base: { k: "tmp", t: p }, off: 0 };
        }
        if (es > 1) {
          if ((es & (es - 1)) === 0) this.emit(alu("LSH", it.reg!, { imm: Math.log2(es) }));
          else this.emit(alu("MUL", it.reg!, { imm: es }));
        }
        const b = this.regOf(a.base);
        if (b === R10) {
          // A long stack array: fp + constant first, then the bounded index (`scalar += r10`
          // gives fp-relative bounds that no verifier accepts).
          this.unpin(a.base);
          this.pin({ k: "tmp", t: it });
          const p = this.newTmp();
          this.unpin({ k: "tmp", t: it });
          this.emit(alu("MOV", p.reg!, R10));
          this.emit(alu("ADD", p.reg!, { imm: a.off }));
          this.emit(alu("ADD", p.reg!, this.regOf({ k: "tmp", t: it })));
          this.release({ k: "tmp", t: it });
          return { base: { k: "tmp", t: p }, off: 0 };
        }
        this.emit(alu("ADD", it.reg!, b));
        this.unpin(a.base);
        this.release(a.base);
        return { base: { k: "tmp", t: it }, off: a.off };
      }
      case "CallExpr": {
        this.fail("the address of a call result is not available", x.range);
        break;
      }
      default:
        this.fail("this expression has no address", x.range);
    }
  }

  // ---- expressions -----------------------------------------------------------------------

  private constOf(e: ast.Expr): bigint | undefined {
    const c = this.p.constants.get(e) ?? this.p.constants.get(unparen(e));
    if (c === undefined) {
      const x = unparen(e);
      if (x.kind === "MemberExpr") {
        const m = this.p.members.get(x);
        if (m?.kind === "enumMember") return m.value;
      }
      if (x.kind === "Identifier") {
        const s = this.p.symbols.get(x);
        if (s?.kind === "local" && s.constValue !== undefined)
          return typeof s.constValue === "boolean" ? (s.constValue ? 1n : 0n) : s.constValue;
        if (s?.kind === "const")
          return typeof s.value === "boolean" ? (s.value ? 1n : 0n) : s.value;
      }
      if (x.kind === "IntLiteral") return x.value;
      if (x.kind === "BoolLiteral") return x.value ? 1n : 0n;
      return undefined;
    }
    return typeof c === "boolean" ? (c ? 1n : 0n) : c;
  }

  private typeOf(e: ast.Expr): Type | undefined {
    return this.p.types.get(e) ?? this.p.types.get(unparen(e));
  }

  /** Evaluates for side effects only. */
  private effect(e: ast.Expr): void {
    const x = unparen(e);
    if (x.kind === "CallExpr") {
      this.release(this.callExpr(x, false));
      return;
    }
    if (x.kind === "UpdateExpr") {
      this.release(this.update(x, false));
      return;
    }
    if (x.kind === "SequenceExpr") {
      for (const part of x.exprs) this.effect(part);
      return;
    }
    this.release(this.expr(x));
  }

  expr(e: ast.Expr): Val {
    const c = this.constOf(e);
    if (c !== undefined) return { k: "imm", v: c };
    const x = unparen(e);
    switch (x.kind) {
      case "Identifier":
        return this.identifier(x);
      case "MemberExpr":
      case "IndexExpr": {
        const t = this.typeOf(x);
        if (t && (t.kind === "struct" || t.kind === "array"))
          this.fail("an aggregate cannot be used as a value here", x.range);
        const a = this.addrOf(x);
        const v = this.loadMem(a, scalarOf(t));
        this.release(a.base);
        return v;
      }
      case "CallExpr":
        return this.callExpr(x, true) ?? { k: "imm", v: 0n };
      case "UnaryExpr":
        return this.unary(x);
      case "BinaryExpr":
        return this.binary(x);
      case "LogicalExpr":
      case "ConditionalExpr":
        if (x.kind === "ConditionalExpr") return this.conditional(x);
        return this.boolValue(x);
      case "AssignExpr":
        return this.assign(x);
      case "UpdateExpr":
        return this.update(x, true);
      case "NullLiteral":
        return { k: "imm", v: 0n };
      case "NullishExpr":
        return this.nullish(x);
      default:
        this.fail(`${x.kind} cannot be compiled here`, x.range);
    }
  }

  private identifier(x: ast.Identifier): Val {
    const s = this.p.symbols.get(x);
    if (s?.kind === "local") {
      const h = this.homes.get(s);
      if (!h) this.fail(`internal: no home for '${s.name}'`, x.range);
      const et = this.typeOf(x);
      if (s.type.kind === "nullable" && et && et.kind !== "nullable" && et.kind !== "null") {
        // A narrowed map reference read as its value.
        if (et.kind === "struct" || et.kind === "array")
          this.fail("an aggregate cannot be used as a value here", x.range);
        const a: Addr =
          h.k === "reg"
            ? { base: { k: "reg", r: h.r }, off: 0 }
            : { base: this.loadHome(h), off: 0 };
        const v = this.loadMem(a, scalarOf(et));
        this.release(a.base);
        return v;
      }
      if (h.k === "alias") this.fail("an aggregate cannot be used as a value here", x.range);
      return this.loadHome(h);
    }
    if (s?.kind === "global") {
      if (s.type.kind === "struct" || s.type.kind === "array")
        this.fail("an aggregate cannot be used as a value here", x.range);
      const a = this.addrOf(x);
      const v = this.loadMem(a, scalarOf(s.type));
      this.release(a.base);
      return v;
    }
    this.fail(`'${x.name}' cannot be used as a value`, x.range);
  }

  /** Truncates/extends register r to type t's canonical form. */
  private normalize(r: number, t: IntType): void {
    if (t.bits === 64) return;
    if (t.signed) this.signExtend(r, t.bits);
    else if (t.bits === 32) {
      if (this.alu32) this.emit(alu("MOV", r, r, false));
      else {
        this.emit(alu("LSH", r, { imm: 32 }));
        this.emit(alu("RSH", r, { imm: 32 }));
      }
    } else
      this.emit(alu("AND", r, { imm: t.bits === 8 ? 0xff : 0xffff }, !this.alu32 ? true : false));
  }
  private signExtend(r: number, bits: number): void {
    if (bits >= 64) return;
    if (this.v4) {
      this.emit(movsx(r, r, bits as 8 | 16 | 32));
      return;
    }
    this.emit(alu("LSH", r, { imm: 64 - bits }));
    this.emit(alu("ARSH", r, { imm: 64 - bits }));
  }

  private convert(v: Val, from: Type | undefined, to: IntType): Val {
    if (v.k === "imm") {
      const w = BigInt.asUintN(to.bits, v.v);
      return { k: "imm", v: to.signed ? BigInt.asIntN(to.bits, w) : w };
    }
    const f = scalarOf(from);
    if (v.k === "tmp" && v.t.pendingExt !== undefined && to.bits <= v.t.pendingExt) {
      // The register already holds the low bits zero-extended: an unsigned view of the same
      // width is canonical as is; narrower types truncate from it.
      const pe = v.t.pendingExt;
      if (to.bits === pe && to.signed) return v;
      const zx = v.t.zx;
      v.t.pendingExt = undefined;
      if (to.bits === pe && zx) return v;
      const t = this.toTmp(v);
      this.normalize(t.reg!, to);
      return { k: "tmp", t };
    }
    const needs =
      to.bits < 64 &&
      !(f.bits < to.bits && (f.signed === to.signed || !f.signed)) &&
      !(f.bits === to.bits && f.signed === to.signed);
    if (!needs) return v;
    const t = this.toTmp(v);
    if (to.signed) {
      // Sign extension on first 64-bit use: 32-bit helper arguments, narrow stores and
      // 32-bit compares take the low bits as they are.
      t.pendingExt = to.bits;
      return { k: "tmp", t };
    }
    this.normalize(t.reg!, to);
    return { k: "tmp", t };
  }

  private unary(x: ast.UnaryExpr): Val {
    const t = scalarOf(this.typeOf(x));
    if (x.op === "!") return this.boolValue(x);
    const v = this.expr(x.operand);
    const tmp = this.toTmp(v);
    const r = tmp.reg!;
    const use32 = this.alu32 && t.bits === 32 && !t.signed;
    if (x.op === "-") {
      this.emit(alu("NEG", r, { imm: 0 }, !use32));
      if (!use32) this.normalize(r, t);
    } else {
      this.emit(alu("XOR", r, { imm: -1 }, !use32));
      if (!t.signed && !use32) this.normalize(r, t);
    }
    return { k: "tmp", t: tmp };
  }

  private static readonly ARITH: Partial<Record<ast.BinaryOp, AluName>> = {
    "+": "ADD",
    "-": "SUB",
    "*": "MUL",
    "/": "DIV",
    "%": "MOD",
    "&": "AND",
    "|": "OR",
    "^": "XOR",
    "<<": "LSH",
    ">>": "RSH",
    ">>>": "RSH",
  };

  private binary(x: ast.BinaryExpr): Val {
    if (isComparison(x.op)) return this.boolValue(x);
    const t = scalarOf(this.typeOf(x));
    return this.arith(x.op, t, this.expr(x.left), () => this.expr(x.right), hasLocalWrite(x.right));
  }

  /** a op b in type t; `b` is evaluated after `a` is safe from clobbering. */
  private arith(
    op: ast.BinaryOp | string,
    t: IntType,
    a0: Val,
    bThunk: () => Val,
    rightWrites: boolean,
  ): Val {
    let a = a0;
    if (a.k === "reg" && rightWrites) a = { k: "tmp", t: this.toTmp(a) };
    // `a` is not pinned while the right side is evaluated: under register pressure it may
    // go to its spill slot, and toTmp below reloads it. Pinned, each level of `x += x += …`
    // held a register and a dozen levels ran out of them ("all temporaries pinned").
    const b = bThunk();
    let name = Lowerer.ARITH[op as ast.BinaryOp];
    if (!name) this.fail(`operator ${op} is not supported`);
    if (t.signed && (name === "DIV" || name === "MOD")) {
      if (!this.v4) this.fail("signed division needs --mcpu v4");
    }
    if (op === ">>" && t.signed) name = "ARSH";
    // 32-bit ALU where the result is canonical by construction (unsigned 32-bit).
    const use32 = this.alu32 && t.bits === 32 && !t.signed;
    const dst = this.toTmp(a);
    dst.pinned++;
    if (op === ">>>" && t.signed && t.bits < 64) {
      // Logical shift of the type's bits: zero-extend first.
      this.normalize(dst.reg!, {
        ...t,
        signed: false,
        name: t.name.replace("i", "u") as IntType["name"],
      });
    }
    const signedDiv = t.signed && (name === "DIV" || name === "MOD");
    let insn;
    if (b.k === "imm" && (use32 || fitsImm32(b.v))) {
      insn = alu(name, dst.reg!, { imm: Number(BigInt.asIntN(32, b.v)) }, !use32);
    } else {
      const br = this.regOf(b.k === "imm" ? { k: "tmp", t: this.toTmp(b) } : b);
      insn = alu(name, dst.reg!, br, !use32);
      if (b.k === "imm") this.freeRegTmp(br);
    }
    if (signedDiv) insn = { ...insn, off: 1 };
    this.emit(insn);
    dst.pinned--;
    this.release(b);
    const grows =
      name === "ADD" ||
      name === "SUB" ||
      name === "MUL" ||
      name === "LSH" ||
      (op === ">>>" && t.signed) ||
      signedDiv;
    if (!use32 && grows) this.normalize(dst.reg!, t);
    if (a.k !== "tmp") {
      /* a was copied into dst */
    }
    return { k: "tmp", t: dst };
  }
  private freeRegTmp(r: number): void {
    for (const t of this.live)
      if (t.reg === r && t.pinned === 0) {
        this.live.delete(t);
        return;
      }
  }

  /** `p ?? d` where p is a map reference (or `ref?.field`): the value read through p, or d. */
  private nullish(x: ast.NullishExpr): Val {
    if (this.typeOf(x.left)?.kind !== "nullable") return this.expr(x.left);
    const t = scalarOf(this.typeOf(x));
    const l = unparen(x.left);
    let ptrE: ast.Expr = x.left;
    let off = 0;
    if (l.kind === "MemberExpr" && l.optional) {
      const m = this.p.members.get(l);
      if (!m || m.kind !== "field") this.fail("internal: optional member without a field", l.range);
      off = m.struct.fields.find((f) => f.name === m.field)!.offset;
      ptrE = l.object;
    }
    const elseL = this.newLabel();
    const end = this.newLabel();
    this.beforeCall(); // control flow inside an expression: live temporaries go to their slots
    const slot = this.alloc(8);
    const p: Val = { k: "tmp", t: this.toTmp(this.expr(ptrE)) };
    this.cmpJump("JEQ", p, { k: "imm", v: 0n }, elseL, false, true);
    const a = this.loadMem({ base: p, off }, t);
    this.release(p);
    this.storeMem({ base: { k: "reg", r: R10 }, off: slot }, INT_TYPES.u64, a);
    this.release(a);
    this.jumpTo(end);
    this.label(elseL);
    const b = this.expr(x.right);
    this.storeMem({ base: { k: "reg", r: R10 }, off: slot }, INT_TYPES.u64, b);
    this.release(b);
    this.label(end);
    const r = this.newTmp();
    this.emit(ldx("DW", r.reg!, R10, slot));
    return { k: "tmp", t: r };
  }

  /** Math.min / Math.max: both operands to stack slots, then one compare and a move. */
  private minMax(x: ast.CallExpr, op: "min" | "max", type: IntType): Val {
    const sa = this.alloc(8);
    const sb = this.alloc(8);
    const a = this.expr(x.args[0]!);
    this.storeMem({ base: { k: "reg", r: R10 }, off: sa }, INT_TYPES.u64, a);
    this.release(a);
    const b = this.expr(x.args[1]!);
    this.storeMem({ base: { k: "reg", r: R10 }, off: sb }, INT_TYPES.u64, b);
    this.release(b);
    const r = this.newTmp();
    r.pinned++;
    const u = this.newTmp();
    this.emit(ldx("DW", r.reg!, R10, sa));
    this.emit(ldx("DW", u.reg!, R10, sb));
    const keep = this.newLabel();
    const cmp: JmpName =
      op === "min" ? (type.signed ? "JSLE" : "JLE") : type.signed ? "JSGE" : "JGE";
    this.emit(jmp(cmp, r.reg!, u.reg!), { target: keep });
    this.emit(alu("MOV", r.reg!, u.reg!));
    this.label(keep);
    this.live.delete(u);
    r.pinned--;
    return { k: "tmp", t: r };
  }

  private conditional(x: ast.ConditionalExpr): Val {
    const elseL = this.newLabel();
    const end = this.newLabel();
    this.beforeCall(); // control flow inside an expression: live temporaries go to their slots first
    this.branch(x.test, elseL, false);
    const slot = this.alloc(8);
    const a = this.expr(x.consequent);
    this.storeMem({ base: { k: "reg", r: R10 }, off: slot }, INT_TYPES.u64, a);
    this.release(a);
    this.jumpTo(end);
    this.label(elseL);
    const b = this.expr(x.alternate);
    this.storeMem({ base: { k: "reg", r: R10 }, off: slot }, INT_TYPES.u64, b);
    this.release(b);
    this.label(end);
    const t = this.newTmp();
    this.emit(ldx("DW", t.reg!, R10, slot));
    return { k: "tmp", t };
  }

  /** A bool value (0/1) of a condition. */
  private boolValue(e: ast.Expr): Val {
    const x = unparen(e);
    if (x.kind === "BinaryExpr" && isComparison(x.op)) {
      const ops = this.compareOperands(x);
      if (ops) {
        const t = this.newTmp();
        t.pinned++;
        this.emit(alu("MOV", t.reg!, { imm: 1 }));
        const end = this.newLabel();
        this.cmpJump(ops.op, ops.a, ops.b, end, ops.w32);
        this.emit(alu("MOV", t.reg!, { imm: 0 }));
        this.label(end);
        t.pinned--;
        return { k: "tmp", t };
      }
    }
    const yes = this.newLabel();
    const end = this.newLabel();
    this.beforeCall(); // control flow inside an expression: live temporaries go to their slots
    this.branch(x, yes, true);
    const t = this.newTmp();
    this.emit(alu("MOV", t.reg!, { imm: 0 }));
    this.jumpTo(end);
    this.label(yes);
    this.emit(alu("MOV", t.reg!, { imm: 1 }));
    this.label(end);
    return { k: "tmp", t };
  }

  private compareOperands(
    x: ast.BinaryExpr,
  ): { op: JmpName; a: Val; b: Val; w32: boolean } | undefined {
    const lt = this.typeOf(x.left);
    const rt = this.typeOf(x.right);
    const bitsOf = (t: Type | undefined): number =>
      t?.kind === "int" ? t.bits : t?.kind === "bool" ? 8 : 64;
    // Both sides 32-bit: JMP32 compares the low halves, so no sign extension is needed.
    const w32 =
      this.alu32 &&
      bitsOf(lt) <= 32 &&
      bitsOf(rt) <= 32 &&
      (bitsOf(lt) === 32 || bitsOf(rt) === 32);
    const signed = (lt?.kind === "int" && lt.signed) || (rt?.kind === "int" && rt.signed);
    const op = cmpName(x.op, Boolean(signed));
    let a = this.expr(x.left);
    if (a.k === "reg" && hasLocalWrite(x.right)) a = { k: "tmp", t: this.toTmp(a) };
    this.pin(a);
    const b = this.expr(x.right);
    this.unpin(a);
    return { op, a, b, w32 };
  }

  /** if (a op b) goto target; releases a and b. */
  private cmpJump(op: JmpName, a0: Val, b0: Val, target: number, w32 = false, keepA = false): void {
    let a = a0;
    let b = b0;
    let o = op;
    if (a.k === "imm" && b.k === "imm") {
      if (evalCmp(o, a.v, b.v)) this.jumpTo(target);
      return;
    }
    if (a.k === "imm") {
      [a, b] = [b, a];
      o = SWAP[o]!;
    }
    this.pin(a);
    const reg32 = (v: Val): number =>
      v.k === "tmp" && v.t.pendingExt === 32 ? this.rawRegOf(v) : this.regOf(v);
    if (w32 && b.k === "imm") {
      const ar = reg32(a);
      this.emit(jmp32(o, ar, { imm: Number(BigInt.asIntN(32, b.v)) }), { target });
    } else if (b.k === "imm" && fitsImm32(b.v)) {
      const ar = this.regOf(a);
      this.emit(jmp(o, ar, { imm: Number(BigInt.asIntN(64, b.v)) }), { target });
    } else {
      const bv: Val = b.k === "imm" ? { k: "tmp", t: this.toTmp(b) } : b;
      this.pin(bv);
      const br = w32 ? reg32(bv) : this.regOf(bv);
      const ar = w32 ? reg32(a) : this.regOf(a);
      this.unpin(bv);
      this.emit(w32 ? jmp32(o, ar, br) : jmp(o, ar, br), { target });
      this.release(bv);
    }
    this.unpin(a);
    if (!keepA || a !== a0) this.release(a);
    this.release(b);
  }

  /** Jumps to `target` when e's truth equals `when`; falls through otherwise. */
  branch(e: ast.Expr, target: number, when: boolean): void {
    const c = this.constOf(e);
    if (c !== undefined) {
      if ((c !== 0n) === when) this.jumpTo(target);
      return;
    }
    const x = unparen(e);
    if (x.kind === "UnaryExpr" && x.op === "!") return this.branch(x.operand, target, !when);
    if (x.kind === "LogicalExpr") {
      const and = x.op === "&&";
      if (and !== when) {
        // && jumping on false, || jumping on true: either side decides.
        this.branch(x.left, target, when);
        this.branch(x.right, target, when);
      } else {
        const skip = this.newLabel();
        this.branch(x.left, skip, !when);
        this.branch(x.right, target, when);
        this.label(skip);
      }
      return;
    }
    if (x.kind === "BinaryExpr" && isComparison(x.op)) {
      const ops = this.compareOperands(x)!;
      this.cmpJump(when ? ops.op : NEGATE[ops.op]!, ops.a, ops.b, target, ops.w32);
      return;
    }
    if (x.kind === "CallExpr") {
      const cap: CondCapture = { call: x, target, when };
      this.condCapture = cap;
      const v = this.callExpr(x, true) ?? { k: "imm" as const, v: 0n };
      this.condCapture = undefined;
      if (cap.done) return;
      if (cap.result) {
        const { r0, op, k } = cap.result;
        this.cmpJump(when ? op : NEGATE[op]!, r0, { k: "imm", v: BigInt(k) }, target);
        return;
      }
      this.cmpJump(when ? "JNE" : "JEQ", v, { k: "imm", v: 0n }, target);
      return;
    }
    const v = this.expr(x);
    this.cmpJump(when ? "JNE" : "JEQ", v, { k: "imm", v: 0n }, target);
  }

  // ---- assignment ------------------------------------------------------------------------

  private assign(x: ast.AssignExpr): Val {
    const tt = this.typeOf(x.target);
    const target = unparen(x.target);
    if (target.kind === "Identifier") {
      const s = this.p.symbols.get(target);
      const vt = this.typeOf(x.value);
      if (
        s?.kind === "local" &&
        s.type.kind === "nullable" &&
        (s.type.base.kind === "int" || s.type.base.kind === "bool") &&
        (x.op !== "=" || (vt !== undefined && vt.kind !== "nullable" && vt.kind !== "null"))
      ) {
        // A narrowed integer read from a map given a new value: TypeScript changes the
        // variable, not the map entry.
        const bt = scalarOf(s.type.base);
        const opName2 = x.op === "=" ? undefined : x.op.slice(0, -1);
        return this.copyWrite(s, (cur) =>
          opName2
            ? this.arith(opName2, bt, cur(), () => this.expr(x.value), true)
            : this.expr(x.value),
        );
      }
    }
    if (target.kind === "Identifier" && x.op === "=") {
      // A map reference (`let s = m.get(k)`) is rebound, whatever its narrowed type here:
      // its home holds the pointer, not the value.
      const s = this.p.symbols.get(target);
      if (s?.kind === "local" && s.type.kind === "nullable") {
        const v = this.expr(x.value);
        this.storeHome(this.homes.get(s)!, v);
        return v;
      }
    }
    if (tt && (tt.kind === "struct" || tt.kind === "array")) {
      const a = this.addrOf(target);
      this.storeAggregate(a, tt, x.value);
      this.release(a.base);
      return { k: "imm", v: 0n };
    }
    const t = scalarOf(tt);
    const opName = x.op === "=" ? undefined : x.op.slice(0, -1);
    // A local in a home.
    if (target.kind === "Identifier") {
      const s = this.p.symbols.get(target);
      if (s?.kind === "local" && s.type.kind !== "nullable") {
        const h = this.homes.get(s)!;
        let v: Val;
        if (opName) v = this.arith(opName, t, this.loadHome(h), () => this.expr(x.value), true);
        else v = this.expr(x.value);
        this.storeHome(h, v);
        return v;
      }
    }
    if (!opName && !hasIndex(target)) {
      // The address has no side effects: compute it after the value, so it need not survive
      // the value's calls.
      const v0 = this.expr(x.value);
      this.pin(v0);
      const a0 = this.addrOf(target);
      this.unpin(v0);
      this.pin(v0);
      this.storeMem(a0, t, v0);
      this.unpin(v0);
      this.release(a0.base);
      return v0;
    }
    // The address is not pinned while the value is computed: under register pressure it goes
    // to its spill slot and storeMem reloads it (pinned, `x += x += …` ran out of registers).
    const a = this.addrOf(target);
    let v: Val;
    if (opName) {
      this.pin(a.base);
      const cur = this.loadMem(a, t);
      this.unpin(a.base);
      v = this.arith(opName, t, cur, () => this.expr(x.value), true);
    } else v = this.expr(x.value);
    this.pin(v);
    this.storeMem(a, t, v);
    this.unpin(v);
    this.release(a.base);
    return v;
  }

  /**
   * Gives a map-reference local of integer type a value of its own: the new value goes to a
   * stack slot of the variable and its home points there (reads stay reads through it).
   */
  private copyWrite(s: LocalSymbol, compute: (cur: () => Val) => Val): Val {
    const h = this.homes.get(s)!;
    const bt = scalarOf((s.type as { base: Type }).base);
    const slot = this.copySlots.get(s);
    if (slot === undefined) this.fail(`internal: no copy slot for '${s.name}'`);
    const cur = (): Val => {
      const p = this.loadHome(h);
      const v = this.loadMem({ base: p, off: 0 }, bt);
      this.release(p);
      return v;
    };
    const v = compute(cur);
    this.pin(v);
    this.storeMem({ base: { k: "reg", r: R10 }, off: slot }, bt, v);
    const p = this.newTmp();
    this.emit(alu("MOV", p.reg!, R10));
    this.emit(alu("ADD", p.reg!, { imm: slot }));
    this.storeHome(h, { k: "tmp", t: p });
    this.release({ k: "tmp", t: p });
    this.unpin(v);
    return v;
  }

  private update(x: ast.UpdateExpr, want: boolean): Val {
    const t = scalarOf(this.typeOf(x.target));
    const op = x.op === "++" ? "+" : "-";
    const target = unparen(x.target);
    if (target.kind === "Identifier") {
      const s0 = this.p.symbols.get(target);
      if (s0?.kind === "local" && s0.type.kind === "nullable") {
        let old: Val | undefined;
        const nv = this.copyWrite(s0, (cur) => {
          const c = cur();
          if (want && !x.prefix) old = { k: "tmp", t: this.copyTmp(c) };
          return this.arith(op, t, c, () => ({ k: "imm", v: 1n }), false);
        });
        if (old) {
          this.release(nv);
          return old;
        }
        return nv;
      }
    }
    if (target.kind === "Identifier") {
      const s = this.p.symbols.get(target);
      if (s?.kind === "local" && s.type.kind !== "nullable") {
        const h = this.homes.get(s)!;
        const old = this.loadHome(h);
        let keep: Val | undefined;
        if (want && !x.prefix)
          keep = {
            k: "tmp",
            t: this.toTmp(h.k === "reg" ? old : { k: "tmp", t: this.copyTmp(old) }),
          };
        const nv = this.arith(op, t, old, () => ({ k: "imm", v: 1n }), false);
        this.storeHome(h, nv);
        if (keep) {
          this.release(nv);
          return keep;
        }
        return nv;
      }
    }
    const a = this.addrOf(target);
    this.pin(a.base);
    const cur = this.loadMem(a, t);
    const keep = want && !x.prefix ? { k: "tmp" as const, t: this.copyTmp(cur) } : undefined;
    const nv = this.arith(op, t, cur, () => ({ k: "imm", v: 1n }), false);
    this.pin(nv);
    this.storeMem(a, t, nv);
    this.unpin(nv);
    this.unpin(a.base);
    this.release(a.base);
    if (keep) {
      this.release(nv);
      return keep;
    }
    return nv;
  }
  private copyTmp(v: Val): Tmp {
    this.pin(v);
    const t = this.newTmp();
    if (v.k === "imm") this.movImm(t.reg!, v.v);
    else this.emit(alu("MOV", t.reg!, this.regOf(v)));
    this.unpin(v);
    return t;
  }

  // ---- calls -----------------------------------------------------------------------------

  /** Places values in r1.. for a call (a parallel move; cycles go through a stack slot). */
  private setArgs(args: Val[]): void {
    // Values in spilled temporaries and registers are read before anything is overwritten.
    const moves: { dst: number; v: Val }[] = args.map((v, i) => ({ dst: i + 1, v }));
    for (const m of moves) this.pin(m.v);
    // Pending sign extensions happen in place (spilled ones after their reload below).
    const pendingLate = new Map<number, number>();
    for (const m of moves) {
      if (m.v.k !== "tmp" || m.v.t.pendingExt === undefined) continue;
      if (m.v.t.reg !== undefined) this.regOf(m.v);
      else pendingLate.set(m.dst, m.v.t.pendingExt);
    }
    // Reload spilled temporaries into their destination directly.
    const pending = moves.filter(
      (m) => !(m.v.k === "tmp" && m.v.t.reg === undefined) && m.v.k !== "imm",
    );
    const late = moves.filter((m) => !pending.includes(m));
    const srcReg = (m: { v: Val }): number =>
      m.v.k === "reg" ? m.v.r : (m.v as { t: Tmp }).t.reg!;
    let guard = 0;
    const parked = new Set<number>();
    while (pending.length > 0) {
      if (guard++ > 100) throw new Error("codegen: parallel move did not converge");
      const i = pending.findIndex((m) => !pending.some((o) => o !== m && srcReg(o) === m.dst));
      if (i >= 0) {
        const m = pending[i]!;
        if (srcReg(m) !== m.dst) this.emit(alu("MOV", m.dst, srcReg(m)));
        pending.splice(i, 1);
        continue;
      }
      // A cycle: park one source in a register no move reads or writes (r0 is free before
      // a call), else on the stack. Not the stack when avoidable: a map pointer parked there
      // leaves a spilled pointer that a later statement's narrower store into the same
      // scratch slot would partly overwrite, which the unprivileged kernel refuses
      // ("attempt to corrupt spilled pointer on stack").
      const m = pending.shift()!;
      const park = [R0, 1, 2, 3, 4, 5].find(
        (r) => !pending.some((o) => srcReg(o) === r) && !moves.some((o) => o.dst === r),
      );
      if (park !== undefined) {
        this.emit(alu("MOV", park, srcReg(m)));
        late.push({ dst: m.dst, v: { k: "reg", r: park } });
        continue;
      }
      const slot = this.allocSpill(parked);
      parked.add(slot);
      this.emit(stx("DW", R10, slot, srcReg(m)));
      late.push({
        dst: m.dst,
        v: { k: "tmp", t: Object.assign(new Tmp(0), { reg: undefined, slot }) },
      });
    }
    for (const m of late) {
      if (m.v.k === "imm") this.movImm(m.dst, m.v.v);
      else if (m.v.k === "reg") this.emit(alu("MOV", m.dst, m.v.r));
      else this.emit(ldx("DW", m.dst, R10, (m.v as { t: Tmp }).t.slot!));
      const pe = pendingLate.get(m.dst);
      if (pe !== undefined) this.signExtend(m.dst, pe);
    }
    for (const m of moves) {
      this.unpin(m.v);
      this.release(m.v);
    }
  }

  /** Calls a helper with values; returns r0 as a temporary. */
  /**
   * Calls a helper with values; returns r0 as a temporary. `narrow` lists argument indices
   * the helper declares 32 bits wide (it truncates them), so a pending sign extension is
   * not needed there.
   */
  private callHelper(id: number, args: Val[], narrow: readonly number[] = []): Val {
    const keep = args.filter((a): a is { k: "tmp"; t: Tmp } => a.k === "tmp").map((a) => a.t);
    this.beforeCall(keep);
    for (const i of narrow) {
      const a = args[i];
      if (a?.k === "tmp" && (a.t.pendingExt ?? 0) >= 32) a.t.pendingExt = undefined;
    }
    this.setArgs(args);
    this.emit(call(id));
    // Everything else was spilled: r0 is free.
    return { k: "tmp", t: this.newTmp(R0) };
  }

  private ctxVal(): Val {
    return { k: "reg", r: CTX };
  }
  private stackPtr(off: number): Val {
    const t = this.newTmp();
    this.emit(alu("MOV", t.reg!, R10));
    this.emit(alu("ADD", t.reg!, { imm: off }));
    return { k: "tmp", t };
  }
  private addrVal(a: Addr): Val {
    if (a.base.k === "reg" && a.base.r === R10) return this.stackPtr(a.off);
    if (a.off === 0) return a.base;
    const t = this.toTmp(a.base);
    this.emit(alu("ADD", t.reg!, { imm: a.off }));
    return { k: "tmp", t };
  }
  private mapPtr(m: MapDef): Val {
    const t = this.newTmp();
    this.emit(ldImm64(t.reg!, 0n), { sym: this.names.map(m) });
    return { k: "tmp", t };
  }

  private callExpr(x: ast.CallExpr, want: boolean): Val | undefined {
    const outer = this.currentCall;
    this.currentCall = x;
    try {
      return this.callExprInner(x, want);
    } finally {
      this.currentCall = outer;
    }
  }

  private callExprInner(x: ast.CallExpr, want: boolean): Val | undefined {
    const target = this.p.calls.get(x);
    if (!target) this.fail("unresolved call", x.range);
    switch (target.kind) {
      case "conversion": {
        const v = this.expr(x.args[0]!);
        return this.convert(v, this.typeOf(x.args[0]!), target.to);
      }
      case "function":
        return this.inlineCall(x, target.fn.info, want);
      case "submit":
        return this.submit(x, target, want);
      case "emit":
        return this.emitCqe(target.fields, want);
      case "builtin":
        return this.builtin(x, target.name, want);
      case "trace":
        return this.trace(target.format, target.args, want);
      case "mapMethod":
        return this.mapMethod(x, target.map, target.method, want);
      case "minmax":
        return this.minMax(x, target.op, target.type);
    }
  }

  private inlineCall(x: ast.CallExpr, fn: CheckedFunction, want: boolean): Val | undefined {
    const vals: (Val | Addr)[] = [];
    fn.params.forEach((p, i) => {
      const arg = x.args[i]!;
      if (p.type.kind === "struct" || p.type.kind === "array") {
        const a = this.addrOf(arg);
        this.pin(a.base);
        vals.push(a);
      } else {
        // Not pinned: a later argument (a nested call, say) may evict it to its spill slot,
        // and storeHome reloads it. Pinned, each level of f(a, f(b, f(c, …))) held a
        // register and five levels ran out of them ("all temporaries pinned").
        vals.push(this.expr(arg));
      }
    });
    fn.params.forEach((p, i) => {
      const v = vals[i]!;
      if ("base" in v) {
        this.homes.set(p, { k: "alias", base: v.base, off: v.off });
        return;
      }
      const h = this.homes.get(p);
      if (h) this.storeHome(h, v);
      this.release(v);
    });
    this.beforeCall(); // the body branches: live temporaries go to their slots
    const exitL = this.newLabel();
    const frame: FnFrame = { fn, exitLabel: exitL };
    if (fn.returnType.kind !== "void") frame.resultSlot = this.alloc(8);
    const savedLoops = this.loops;
    this.loops = [];
    this.fnStack.push(frame);
    this.block(fn.decl.body.body);
    this.fnStack.pop();
    this.loops = savedLoops;
    this.label(exitL);
    for (const v of vals)
      if ("base" in v) {
        this.unpin(v.base);
        this.release(v.base);
      }
    if (frame.resultSlot !== undefined && want) {
      const t = this.newTmp();
      this.emit(ldx("DW", t.reg!, R10, frame.resultSlot));
      return { k: "tmp", t };
    }
    return undefined;
  }

  private submit(
    x: ast.CallExpr,
    target: Extract<CallTarget, { kind: "submit" }>,
    want: boolean,
  ): Val | undefined {
    void x;
    const image = new Uint8Array(SQE_SIZE);
    const put = (off: number, size: number, v: bigint): void => {
      let y = BigInt.asUintN(size * 8, v);
      for (let i = 0; i < size; i++) {
        image[off + i] = Number(y & 0xffn);
        y >>= 8n;
      }
    };
    put(SQE_SLOTS.opcode.offset, SQE_SLOTS.opcode.size, BigInt(target.opcode));
    let flagByte = 0;
    const runtimeFlags: { bit: number; e: ast.Expr }[] = [];
    for (const f of target.op?.impliedFlags ?? []) flagByte |= 1 << iosqeFlag(f)!.bit;
    for (const fl of target.flags) {
      const def = iosqeFlag(fl.name);
      if (!def) continue;
      const c = fl.constant ?? this.constOf(fl.value);
      if (c === undefined) runtimeFlags.push({ bit: def.bit, e: fl.value });
      else if (c === true || c === 1n) flagByte |= 1 << def.bit;
    }
    for (const [name, value] of Object.entries(target.op?.fixed ?? {})) {
      const f = sqeField(name);
      if (f && value !== undefined) put(f.offset, f.size, BigInt(value));
    }
    const fields: { off: number; size: number; val: Val }[] = [];
    const evalField = (fv: SqeFieldValue): void => {
      if (fv.name === "opcode") return;
      const f = sqeField(fv.name);
      if (!f) this.fail(`unknown SQE field ${fv.name}`, fv.value.range);
      const c = fv.constant ?? this.constOf(fv.value);
      if (c !== undefined) put(f.offset, f.size, typeof c === "boolean" ? (c ? 1n : 0n) : c);
      else {
        const v = this.expr(fv.value);
        this.pin(v);
        fields.push({ off: f.offset, size: f.size, val: v });
      }
    };
    for (const fv of target.fields) evalField(fv);
    if (runtimeFlags.length > 0) {
      const t = this.newTmp();
      this.movImm(t.reg!, BigInt(flagByte));
      for (const rf of runtimeFlags) {
        const v = this.expr(rf.e);
        const vt = this.toTmp(v);
        if (rf.bit) this.emit(alu("LSH", vt.reg!, { imm: rf.bit }));
        this.emit(alu("OR", t.reg!, vt.reg!));
        this.release({ k: "tmp", t: vt });
      }
      t.pinned++;
      fields.push({ off: SQE_FLAGS_OFFSET, size: 1, val: { k: "tmp", t } });
    } else put(SQE_FLAGS_OFFSET, 1, BigInt(flagByte));
    if (this.s71) return this.submit71(image, fields, want);
    for (const f of fields) this.unpin(f.val);
    const buf = this.alloc(SQE_SIZE);
    this.writeImage({ base: { k: "reg", r: R10 }, off: buf }, image, fields);
    const r0 = this.callHelper(this.helper("iouring_queue_sqe"), [
      this.ctxVal(),
      this.stackPtr(buf),
      { k: "imm", v: BigInt(SQE_SIZE) },
    ]);
    if (!want) {
      this.release(r0);
      return undefined;
    }
    // Queued: v1 returns 0, v2 returns 1 (abi.md).
    return this.okResult(r0, want, "JEQ", targetCodegen(this.p.target).queuedResult ?? 1);
  }

  private emitCqe(fields: SqeFieldValue[], want: boolean): Val | undefined {
    if (this.s71) return this.emit71(fields, want);
    const get = (n: string): Val => {
      const f = fields.find((ff) => ff.name === n);
      if (!f) return { k: "imm", v: 0n };
      const v = this.expr(f.value);
      this.pin(v);
      return v;
    };
    const cq = get("cq");
    const ud = get("userData");
    const res = get("res");
    const flags = get("flags");
    for (const v of [cq, ud, res, flags]) this.unpin(v);
    // emit_cqe(ctx, u32 cq, u64 user_data, s32 res, u32 flags)
    const r0 = this.callHelper(
      this.helper("iouring_emit_cqe"),
      [this.ctxVal(), cq, ud, res, flags],
      [1, 3, 4],
    );
    return this.okResult(r0, want, "JEQ", 0);
  }

  /** A bool from r0: r0 `op` k. */
  private okResult(r0: Val, want: boolean, op: JmpName, k: number): Val | undefined {
    if (!want) {
      this.release(r0);
      return undefined;
    }
    if (this.condCapture && this.condCapture.call === this.currentCall) {
      // A condition branches on r0 itself (see branch()).
      this.condCapture.result = { r0, op, k };
      return r0;
    }
    const t = (r0 as { t: Tmp }).t;
    const end = this.newLabel();
    const res = this.newTmp();
    this.emit(alu("MOV", res.reg!, { imm: 1 }));
    this.emit(jmp(op, t.reg!, { imm: k }), { target: end });
    this.emit(alu("MOV", res.reg!, { imm: 0 }));
    this.label(end);
    this.release(r0);
    return { k: "tmp", t: res };
  }

  private builtin(x: ast.CallExpr, name: string, want: boolean): Val | undefined {
    switch (name) {
      case "stop":
        this.jumpTo(this.stopLabel);
        return undefined;
      case "ktime":
        return this.callHelper(this.helper("ktime_get_ns"), []);
      case "random":
        return this.callHelper(this.helper("get_prandom_u32"), []);
      case "copyFromUser": {
        const dstT = this.typeOf(x.args[0]!);
        const size =
          dstT &&
          (dstT.kind === "struct" ||
            dstT.kind === "array" ||
            dstT.kind === "int" ||
            dstT.kind === "bool")
            ? sizeOf(dstT)
            : 8;
        const a = this.addrOf(x.args[0]!);
        const p = this.addrVal(a);
        this.pin(p);
        const uptr = this.expr(x.args[1]!);
        this.unpin(p);
        const r0 = this.callHelper(this.helper("copy_from_user"), [
          p,
          { k: "imm", v: BigInt(size) },
          uptr,
        ]);
        return want ? r0 : (this.release(r0), undefined);
      }
      case "copyToUser": {
        const uptr = this.expr(x.args[0]!);
        this.pin(uptr);
        const srcT = this.typeOf(x.args[1]!);
        const size =
          srcT &&
          (srcT.kind === "struct" ||
            srcT.kind === "array" ||
            srcT.kind === "int" ||
            srcT.kind === "bool")
            ? sizeOf(srcT)
            : 8;
        const a = this.addrOf(x.args[1]!);
        const p = this.addrVal(a);
        this.unpin(uptr);
        const r0 = this.callHelper(this.helper("copy_to_user"), [
          uptr,
          p,
          { k: "imm", v: BigInt(size) },
        ]);
        return want ? r0 : (this.release(r0), undefined);
      }
    }
    this.fail(`builtin ${name} is not supported`, x.range);
  }

  private trace(format: string, args: ast.Expr[], want: boolean): Val | undefined {
    const bytes = new TextEncoder().encode(format);
    const size = bytes.length + 1;
    const vals = args.map((a) => {
      const v = this.expr(a);
      this.pin(v);
      return v;
    });
    // The format is a read-only string in .rodata (as clang's bpf_printk), addressed with
    // ld_imm64: 2 slots however long it is.
    const text = new Uint8Array(size);
    text.set(bytes);
    let sym = this.strings.find(
      (s) => s.bytes.length === text.length && s.bytes.every((b, i) => b === text[i]),
    )?.symbol;
    if (sym === undefined) {
      sym = `${this.p.name}.____fmt${this.strings.length ? `.${this.strings.length}` : ""}`;
      this.strings.push({ symbol: sym, bytes: text });
    }
    for (const v of vals) this.unpin(v);
    const fmt = this.newTmp();
    this.emit(ldImm64(fmt.reg!, 0n), { sym });
    const r0 = this.callHelper(this.helper("trace_printk"), [
      { k: "tmp", t: fmt },
      { k: "imm", v: BigInt(size) },
      ...vals,
    ]);
    return want ? r0 : (this.release(r0), undefined);
  }

  private scalarToStack(e: ast.Expr, t: DataType): Val {
    const size = sizeOf(t);
    const slot = this.alloc(size, 8);
    const a: Addr = { base: { k: "reg", r: R10 }, off: slot };
    if (t.kind === "struct" || t.kind === "array") this.storeAggregate(a, t, e);
    else {
      const v = this.expr(e);
      this.storeMem(a, scalarOf(t), v);
      this.release(v);
    }
    return this.stackPtr(slot);
  }

  private mapMethod(x: ast.CallExpr, m: MapDef, method: string, want: boolean): Val | undefined {
    const mt = m.type;
    if (method === "output") {
      const vt = this.typeOf(x.args[0]!);
      const t: DataType =
        vt &&
        (vt.kind === "struct" || vt.kind === "array" || vt.kind === "int" || vt.kind === "bool")
          ? vt
          : INT_TYPES.u64;
      const p = this.valuePtr(x.args[0]!, t);
      this.pin(p);
      const mp = this.mapPtr(m);
      this.unpin(p);
      const r0 = this.callHelper(this.helper("ringbuf_output"), [
        mp,
        p,
        { k: "imm", v: BigInt(sizeOf(t)) },
        { k: "imm", v: 0n },
      ]);
      return this.okResult(r0, want, "JEQ", 0);
    }
    if (!mt) this.fail("map without key/value types", x.range);
    const key = this.valuePtr(x.args[0]!, mt.key);
    this.pin(key);
    if (method === "set") {
      const val = this.valuePtr(x.args[1]!, mt.value);
      this.pin(val);
      const mp = this.mapPtr(m);
      this.unpin(key);
      this.unpin(val);
      const r0 = this.callHelper(this.helper("map_update_elem"), [
        mp,
        key,
        val,
        { k: "imm", v: BigInt(BPF_ANY) },
      ]);
      return this.okResult(r0, want, "JEQ", 0);
    }
    const mp = this.mapPtr(m);
    this.unpin(key);
    if (method === "delete") {
      const r0 = this.callHelper(this.helper("map_delete_elem"), [mp, key]);
      return this.okResult(r0, want, "JEQ", 0);
    }
    const r0 = this.callHelper(this.helper("map_lookup_elem"), [mp, key]);
    if (method === "has") return this.okResult(r0, want, "JNE", 0);
    return r0; // get: the value pointer or null
  }

  /** A pointer to the value of e: its own address for an lvalue aggregate, else a stack copy. */
  private valuePtr(e: ast.Expr, t: DataType): Val {
    const x = unparen(e);
    if ((t.kind === "struct" || t.kind === "array") && x.kind !== "ObjectLiteral") {
      return this.addrVal(this.addrOf(x));
    }
    return this.scalarToStack(e, t);
  }
}

function intOfSize(size: number): IntType {
  return size === 1
    ? INT_TYPES.u8
    : size === 2
      ? INT_TYPES.u16
      : size === 4
        ? INT_TYPES.u32
        : INT_TYPES.u64;
}

function isComparison(op: string): boolean {
  return ["<", "<=", ">", ">=", "==", "!=", "===", "!=="].includes(op);
}
function cmpName(op: string, signed: boolean): JmpName {
  switch (op) {
    case "==":
    case "===":
      return "JEQ";
    case "!=":
    case "!==":
      return "JNE";
    case "<":
      return signed ? "JSLT" : "JLT";
    case "<=":
      return signed ? "JSLE" : "JLE";
    case ">":
      return signed ? "JSGT" : "JGT";
    default:
      return signed ? "JSGE" : "JGE";
  }
}
function evalCmp(op: JmpName, a: bigint, b: bigint): boolean {
  const ua = BigInt.asUintN(64, a);
  const ub = BigInt.asUintN(64, b);
  const sa = BigInt.asIntN(64, a);
  const sb = BigInt.asIntN(64, b);
  switch (op) {
    case "JEQ":
      return ua === ub;
    case "JNE":
      return ua !== ub;
    case "JGT":
      return ua > ub;
    case "JGE":
      return ua >= ub;
    case "JLT":
      return ua < ub;
    case "JLE":
      return ua <= ub;
    case "JSGT":
      return sa > sb;
    case "JSGE":
      return sa >= sb;
    case "JSLT":
      return sa < sb;
    case "JSLE":
      return sa <= sb;
    default:
      return false;
  }
}

function hasIndex(e: ast.Expr): boolean {
  const x = unparen(e);
  if (x.kind === "IndexExpr") return true;
  if (x.kind === "MemberExpr") return hasIndex(x.object);
  return false;
}

/** Whether evaluating e may write a local (so an operand read before it must be copied). */
function hasLocalWrite(e: ast.Expr): boolean {
  let found = false;
  const walk = (n: unknown): void => {
    if (found || !n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(walk);
    const k = (n as { kind?: string }).kind;
    if (k === "AssignExpr" || k === "UpdateExpr" || k === "CallExpr") {
      found = true;
      return;
    }
    for (const [key, v] of Object.entries(n)) if (key !== "range") walk(v);
  };
  walk(e);
  return found;
}
