// Public API of the language parser: `parse(source)` → AST + diagnostics. Never throws on
// bad input: lexer errors, syntax errors, constructs outside the language and inputs too
// deeply nested to parse all come back as diagnostics (codes in diagnostic-codes.ts).
import type { IRecognitionException, IToken } from "chevrotain";
import {
  compareDiagnostics,
  DiagnosticBag,
  type Diagnostic,
  type SourceFile,
} from "../diagnostics/index.js";
import type { Program } from "./ast.js";
import { ParserMessages } from "./diagnostic-codes.js";
import {
  ParseAborted,
  REJECTED_PREFIX_OPERATORS,
  sharedParser,
  UNARY_OPERATORS,
} from "./parser.js";
import * as T from "./tokens.js";
import { AstBuilder } from "./visitor.js";

export type * from "./ast.js";
export { ParserMessages, type ParserMessage, type ParserMessageKey } from "./diagnostic-codes.js";
export { forEachChild, astDepth } from "./walk.js";
import { astDepth, tooDeepAt } from "./walk.js";

/** Deepest bracket nesting accepted; deeper input is refused before parsing (no stack overflow). */
export const MAX_BRACKET_DEPTH = 256;
/** Deepest AST accepted, so that later phases may recurse over it safely. */
export const MAX_AST_DEPTH = 1000;

/** Tokens that start a prefix expression (the grammar's tables): each is one more level of recursion. */
const PREFIX_TOKENS = new Set([...UNARY_OPERATORS, ...REJECTED_PREFIX_OPERATORS]);

export interface ParseOptions {
  /** Most errors reported (default 100). */
  errorLimit?: number;
}

export interface ParseResult {
  /** Present only when no error was reported. */
  program?: Program;
  diagnostics: Diagnostic[];
}

export function parse(source: SourceFile, options: ParseOptions = {}): ParseResult {
  const bag = new DiagnosticBag(options.errorLimit ?? 100);
  const err = (key: keyof typeof ParserMessages, start: number, end: number, message?: string) => {
    const m = ParserMessages[key];
    bag.error(
      m.code,
      message ?? m.message,
      source.range(start, end),
      "hint" in m ? { hint: m.hint } : {},
    );
  };
  /** Set when parsing stopped at the error limit (the rest of the file was not read). */
  let aborted = false;
  const done = (program?: Program): ParseResult => {
    const diagnostics = [...bag.items].sort(compareDiagnostics);
    if (bag.dropped > 0 || aborted) {
      // Last, after the errors it summarises.
      const m = ParserMessages.tooManyErrors;
      diagnostics.push({
        code: m.code,
        severity: "error",
        message: bag.dropped > 0 ? `${m.message} (${bag.dropped} more not shown)` : m.message,
        file: source.path,
      });
    }
    return bag.hasErrors || !program ? { diagnostics } : { program, diagnostics };
  };

  /** Offsets of reported syntax errors. */
  const seen = new Set<number>();
  const reportSyntaxErrors = (errors: IRecognitionException[]) => {
    for (const e of errors) {
      const at = errorOffset(e, source.text.length);
      if (seen.has(at)) continue;
      seen.add(at);
      const len = Math.max(1, Math.min(e.token.image?.length ?? 1, source.text.length - at));
      const inSemi = e.context?.ruleStack?.[e.context.ruleStack.length - 1] === "semi";
      if (inSemi)
        err("missingSemicolon", at, at + len, `expected ';' but found ${describeToken(e.token)}`);
      else err("syntax", at, at + len, `syntax error: ${e.message}`);
    }
  };

  // 1. Lexing.
  const lexed = T.lexer.tokenize(source.text);
  for (const [i, e] of lexed.errors.entries()) {
    if (bag.full) {
      bag.dropped += lexed.errors.length - i;
      break;
    }
    err(
      "unexpectedCharacter",
      e.offset,
      e.offset + e.length,
      `unexpected character '${source.text.slice(e.offset, e.offset + Math.min(e.length, 1))}'`,
    );
  }
  const tokens: IToken[] = [];
  for (const t of lexed.tokens) {
    if (t.tokenType === T.UnterminatedComment) {
      err("unterminatedComment", t.startOffset, t.startOffset + 2);
      continue;
    }
    if (t.tokenType === T.UnterminatedString) {
      err("unterminatedString", t.startOffset, t.startOffset + t.image.length);
      // Parse on as if it were closed, so one missing quote is one error.
      t.tokenType = T.StringLiteral;
      t.tokenTypeIdx = T.StringLiteral.tokenTypeIdx!;
    }
    // The lexer tracks start offsets only; CST node locations need the ends too.
    t.endOffset = t.startOffset + t.image.length - 1;
    tokens.push(t);
  }

  // 2. Nesting pre-scan: the parser is recursive descent, so refuse what would overflow it:
  // deep brackets, and long runs of prefix operators (`- - - … x`, one rule call each).
  let depth = 0;
  let prefixRun = 0;
  for (const t of tokens) {
    const tt = t.tokenType;
    if (PREFIX_TOKENS.has(tt)) {
      if (++prefixRun > MAX_BRACKET_DEPTH) {
        err(
          "nestingTooDeep",
          t.startOffset,
          t.startOffset + t.image.length,
          `${ParserMessages.nestingTooDeep.message} (more than ${MAX_BRACKET_DEPTH} prefix operators in a row)`,
        );
        return done();
      }
    } else prefixRun = 0;
    if (tt === T.LParen || tt === T.LBracket || tt === T.LCurly) {
      if (++depth > MAX_BRACKET_DEPTH) {
        err(
          "nestingTooDeep",
          t.startOffset,
          t.startOffset + 1,
          `${ParserMessages.nestingTooDeep.message} (more than ${MAX_BRACKET_DEPTH} levels of brackets)`,
        );
        return done();
      }
    } else if (tt === T.RParen || tt === T.RBracket || tt === T.RCurly) {
      depth = Math.max(0, depth - 1);
    }
  }

  // 3. Line breaks before tokens, for semicolon insertion.
  const parser = sharedParser();
  const lineBreakBefore = new Set<IToken>();
  let prevEnd = 0;
  for (const t of tokens) {
    if (/[\n\r\u2028\u2029]/.test(source.text.slice(prevEnd, t.startOffset)))
      lineBreakBefore.add(t);
    prevEnd = t.startOffset + t.image.length;
  }
  parser.lineBreakBefore = lineBreakBefore;

  // 4. Parsing.
  let cst;
  parser.errorBudget = Math.max(1, (options.errorLimit ?? 100) - bag.errorCount);
  try {
    parser.input = tokens;
    cst = parser.program();
  } catch (e) {
    if (e instanceof ParseAborted) {
      aborted = true;
      reportSyntaxErrors(parser.errors);
      parser.input = [];
      parser.lineBreakBefore = new Set();
      return done();
    }
    if (!(e instanceof RangeError)) throw e;
    err(
      "nestingTooDeep",
      0,
      0,
      `${ParserMessages.nestingTooDeep.message} (the parser ran out of stack)`,
    );
    parser.input = [];
    parser.lineBreakBefore = new Set();
    return done();
  }
  const syntaxErrors = parser.errors;
  reportSyntaxErrors(syntaxErrors);
  parser.input = [];
  parser.lineBreakBefore = new Set();

  // 5. CST → AST, reporting constructs outside the language.
  let program: Program | undefined;
  // After a syntax error, recovery leaves fragments that look like misplaced statements;
  // those echoes of the syntax error are dropped.
  const astBag = new DiagnosticBag(Number.MAX_SAFE_INTEGER);
  const mergeAstDiagnostics = () => {
    for (const d of astBag.items) {
      if (seen.size > 0) {
        if (d.code === ParserMessages.statementAtTopLevel.code) continue;
        if (d.range && seen.has(d.range.start.offset)) continue;
      }
      bag.add(d);
    }
  };
  try {
    program = new AstBuilder(source, astBag).program(cst);
    mergeAstDiagnostics();
  } catch (e) {
    mergeAstDiagnostics();
    // The builder recurses as the parser did; input that exhausts the stack here is nesting
    // too deep to handle, not a bug.
    if (e instanceof RangeError) {
      err(
        "nestingTooDeep",
        0,
        0,
        `${ParserMessages.nestingTooDeep.message} (the parser ran out of stack)`,
      );
      return done();
    }
    // A CST repaired by error recovery may lack parts the builder expects; the syntax
    // errors already explain the input. Without them, this is a bug in the parser.
    if (syntaxErrors.length === 0) {
      err(
        "internal",
        0,
        0,
        `${ParserMessages.internal.message}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return done();
  }
  if (bag.hasErrors) return done();

  const d = astDepth(program);
  if (d > MAX_AST_DEPTH) {
    // At the expression (or statement) that is too deep, not at the start of the file.
    const at = tooDeepAt(program, MAX_AST_DEPTH)?.range;
    err(
      "nestingTooDeep",
      at ? at.start.offset : 0,
      at ? Math.min(at.end.offset, at.start.offset + 1) : 0,
      `${ParserMessages.nestingTooDeep.message} (the syntax tree is ${d} levels deep; at most ${MAX_AST_DEPTH})`,
    );
    return done();
  }
  return done(program);
}

function errorOffset(e: IRecognitionException, textLength: number): number {
  const o = e.token.startOffset;
  if (Number.isFinite(o)) return o;
  const prev = (e as { previousToken?: IToken }).previousToken;
  if (prev && Number.isFinite(prev.startOffset)) return prev.startOffset + prev.image.length;
  return textLength;
}

function describeToken(t: IToken): string {
  if (!t.image || !Number.isFinite(t.startOffset)) return "end of file";
  return `'${t.image.length > 20 ? t.image.slice(0, 20) + "…" : t.image}'`;
}
