// The grammar of the language as a chevrotain CstParser: syntax only, no semantics (the CST
// → AST visitor in visitor.ts decides what each shape means and rejects what is outside the
// language). Rules whose names start with `rejected` and alternatives that start with a
// rejected token are "error productions": they parse TypeScript constructs that are not in
// the language, only so the visitor can name them in a specific error. gen-grammar.ts
// drops them from the published EBNF.
//
// Semicolons follow TypeScript's automatic insertion: `semi` accepts nothing before `}`,
// at the end of input, or before a token on a new line.
import {
  CstParser,
  EOF,
  tokenMatcher,
  type IRecognitionException,
  type IToken,
  type IParserErrorMessageProvider,
  type TokenType,
} from "chevrotain";
import * as T from "./tokens.js";

const describe = (t: IToken): string =>
  t.tokenType === EOF
    ? "end of file"
    : `'${t.image.length > 20 ? t.image.slice(0, 20) + "…" : t.image}'`;
const label = (t: TokenType): string => t.LABEL ?? t.name;

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    `expected ${label(expected)} but found ${describe(actual)}`,
  buildNoViableAltMessage: ({ actual, ruleName }) =>
    `unexpected ${describe(actual[0]!)}${ruleName === "semi" ? "" : `; expected ${ruleTitle(ruleName)}`}`,
  buildEarlyExitMessage: ({ actual, ruleName }) =>
    `unexpected ${describe(actual[0]!)}; expected ${ruleTitle(ruleName)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describe(firstRedundant)}`,
};

/** What the parser was looking for, in words, from the rule that failed. */
function ruleTitle(rule: string): string {
  if (/Expr$|^expression$|^args$|^argument$|^assignOp$|^parenItem$/.test(rule))
    return "an expression";
  if (/^type|Type$/.test(rule)) return "a type";
  if (/^statement$|Stmt$|^block$|^moduleItem$/.test(rule)) return "a statement";
  if (/^param/.test(rule)) return "a parameter list";
  if (/^object/.test(rule)) return "an object literal";
  const words = rule
    .replace(/([A-Z])/g, " $1")
    .toLowerCase()
    .trim();
  return /^[aeiou]/.test(words) ? `an ${words}` : `a ${words}`;
}

/** Tokens that may follow `declare` in a declaration (otherwise `declare` is a name). */
const declarationStarts = new Set<TokenType>([
  T.Const,
  T.Let,
  T.Var,
  T.Function,
  T.Enum,
  T.Class,
  T.Interface,
  T.Namespace,
  T.Module,
  T.Type,
  T.Async,
  T.Abstract,
  T.Declare,
]);

/** Prefix operators of the language (`-x`, `~x`, `!x`, `++x`, `--x`). */
export const UNARY_OPERATORS = [T.Minus, T.Tilde, T.Bang, T.PlusPlus, T.MinusMinus];
/** Prefix operators TypeScript has and the language refuses (with a diagnostic). */
export const REJECTED_PREFIX_OPERATORS = [T.Plus, T.Typeof, T.Delete, T.Void, T.Await, T.Yield];

/** Thrown to stop parsing once enough errors are known (recovery on junk can be slow). */
export class ParseAborted extends Error {
  override name = "ParseAborted";
}

type SaveError = (this: CstParser, e: IRecognitionException) => IRecognitionException;
const baseSaveError = (CstParser.prototype as unknown as { SAVE_ERROR: SaveError }).SAVE_ERROR;

export class IoubpfParser extends CstParser {
  /**
   * Alternatives of the hottest ORs, built once: chevrotain's documented fix for the
   * allocation of dozens of closures per invocation, which made garbage collection most of
   * the parse time. Declared first so it exists before the rules below are recorded.
   */
  private readonly altCache = new Map<string, unknown>();
  private alts<A>(key: string, make: () => A): A {
    let v = this.altCache.get(key) as A | undefined;
    if (v === undefined) {
      v = make();
      this.altCache.set(key, v);
    }
    return v;
  }

  /** Tokens preceded by a line break (for semicolon insertion and restricted productions). */
  lineBreakBefore = new Set<IToken>();
  /** Syntax errors after which parsing stops. */
  errorBudget = 100;

  /** chevrotain's (untyped) hook for every syntax error it records. */
  SAVE_ERROR(e: IRecognitionException): IRecognitionException {
    if (this.errors.length >= this.errorBudget) throw new ParseAborted();
    return baseSaveError.call(this, e);
  }

  /**
   * `validate`: run chevrotain's grammar validations (about half of the set-up time). Off in
   * normal use: the grammar is fixed, and test/plugin/startup.test.ts builds it validated.
   */
  constructor(validate = false) {
    super(T.parserVocabulary, {
      recoveryEnabled: true,
      maxLookahead: 2,
      skipValidations: !validate,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: messages,
    });
    this.performSelfAnalysis();
  }

  private nl(i: number): boolean {
    return this.lineBreakBefore.has(this.LA(i));
  }

  /** `b` directly follows `a` with nothing between (joins `>` `>` into `>>`). */
  private adjacent(i: number): boolean {
    return this.LA(i).startOffset === this.LA(i - 1).startOffset + this.LA(i - 1).image.length;
  }

  private is(i: number, t: TokenType): boolean {
    return this.LA(i).tokenType === t;
  }

  /** An identifier, including contextual keywords such as `type` or `from`. */
  private isIdentifier(i: number): boolean {
    return tokenMatcher(this.LA(i), T.Identifier);
  }

  /** Which `>`-based operator starts at LA(1): ">>>=", ">>=", ">>>", ">>" or ">" (alone). */
  private greaterOp(): string {
    if (!this.is(1, T.Greater)) return this.is(1, T.GreaterEq) ? ">=" : "";
    if (this.is(2, T.GreaterEq) && this.adjacent(2)) return ">>=";
    if (this.is(2, T.Greater) && this.adjacent(2)) {
      if (this.is(3, T.GreaterEq) && this.adjacent(3)) return ">>>=";
      if (this.is(3, T.Greater) && this.adjacent(3)) return ">>>";
      return ">>";
    }
    return ">";
  }

  // ----------------------------------------------------------------------------- module

  program = this.RULE("program", () => {
    this.MANY(() => this.SUBRULE(this.moduleItem));
  });

  moduleItem = this.RULE("moduleItem", () => {
    this.OR(
      this.alts("moduleItem.OR.0", () => ({
        MAX_LOOKAHEAD: 1,
        DEF: [
          { ALT: () => this.SUBRULE(this.importDecl) },
          { ALT: () => this.SUBRULE(this.exportDecl) },
          { ALT: () => this.SUBRULE(this.statement) },
        ],
      })),
    );
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.OPTION(() => this.CONSUME(T.Type));
    this.OR(
      this.alts("importDecl.OR.1", () => [
        { ALT: () => this.SUBRULE(this.importList) },
        { ALT: () => this.SUBRULE(this.rejectedImportForm) },
      ]),
    );
    this.CONSUME(T.From);
    this.CONSUME(T.StringLiteral);
    this.SUBRULE(this.semi);
  });

  importList = this.RULE("importList", () => {
    this.CONSUME(T.LCurly);
    this.OPTION(() => {
      this.SUBRULE(this.importSpecifier);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.importSpecifier);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  importSpecifier = this.RULE("importSpecifier", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME2(T.Identifier);
    });
  });

  /** `import x from`, `import * as x from`. */
  rejectedImportForm = this.RULE("rejectedImportForm", () => {
    this.OR(
      this.alts("rejectedImportForm.OR.2", () => [
        {
          ALT: () => {
            this.CONSUME(T.Star);
            this.CONSUME(T.As);
            this.CONSUME(T.Identifier);
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.Identifier);
            this.OPTION(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE(this.importList);
            });
          },
        },
      ]),
    );
  });

  exportDecl = this.RULE("exportDecl", () => {
    this.CONSUME(T.Export);
    // `export {` is an export list, never a block.
    this.OR(
      this.alts("exportDecl.OR.3", () => ({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.SUBRULE(this.rejectedExportDefault) },
          { ALT: () => this.SUBRULE(this.rejectedExportList) },
          { ALT: () => this.SUBRULE(this.statement) },
        ],
      })),
    );
  });

  rejectedExportDefault = this.RULE("rejectedExportDefault", () => {
    this.CONSUME(T.Default);
    this.SUBRULE(this.statement);
  });

  rejectedExportList = this.RULE("rejectedExportList", () => {
    this.OR(
      this.alts("rejectedExportList.OR.4", () => [
        { ALT: () => this.SUBRULE(this.balancedBraces) },
        {
          ALT: () => {
            this.CONSUME(T.Star);
            this.OPTION(() => {
              this.CONSUME(T.As);
              this.CONSUME(T.Identifier);
            });
          },
        },
      ]),
    );
    this.OPTION2(() => {
      this.CONSUME(T.From);
      this.CONSUME(T.StringLiteral);
    });
    this.SUBRULE(this.semi);
  });

  /** `{ … }` with anything inside, braces balanced: the body of a rejected construct. */
  balancedBraces = this.RULE("balancedBraces", () => {
    this.CONSUME(T.LCurly);
    this.MANY(() =>
      this.OR(
        this.alts("balancedBraces.OR.5", () => [
          { ALT: () => this.SUBRULE(this.balancedBraces) },
          { ALT: () => this.CONSUME(T.NonBrace) },
        ]),
      ),
    );
    this.CONSUME(T.RCurly);
  });

  semi = this.RULE("semi", () => {
    this.OR(
      this.alts("semi.OR.6", () => [
        { ALT: () => this.CONSUME(T.Semicolon) },
        { GATE: () => this.is(1, T.RCurly) || this.is(1, EOF) || this.nl(1), ALT: () => {} },
      ]),
    );
  });

  // ----------------------------------------------------------------------------- statements

  statement = this.RULE("statement", () => {
    // One token of lookahead plus explicit gates: chevrotain's LL(k) paths for this many
    // overlapping alternatives (`{` block vs object, contextual keywords vs identifiers)
    // made every statement cost ~100 path checks. Order decides the rest: `{` starts a
    // block, `function` a declaration; expressions come last.
    this.OR(
      this.alts("statement", () => ({
        MAX_LOOKAHEAD: 1,
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.SUBRULE(this.block) },
          { GATE: () => this.is(2, T.Enum), ALT: () => this.SUBRULE(this.enumDecl) },
          { ALT: () => this.SUBRULE(this.rejectedPlainEnum) },
          { ALT: () => this.SUBRULE(this.varStatement) },
          { ALT: () => this.SUBRULE(this.interfaceDecl) },
          {
            GATE: () => !this.is(1, T.Async) || this.is(2, T.Function),
            ALT: () => this.SUBRULE(this.functionDecl),
          },
          {
            GATE: () => declarationStarts.has(this.LA(2).tokenType),
            ALT: () => this.SUBRULE(this.declareDecl),
          },
          { ALT: () => this.SUBRULE(this.ifStmt) },
          { ALT: () => this.SUBRULE(this.switchStmt) },
          { ALT: () => this.SUBRULE(this.forStmt) },
          { ALT: () => this.SUBRULE(this.whileStmt) },
          { ALT: () => this.SUBRULE(this.doWhileStmt) },
          { ALT: () => this.SUBRULE(this.breakStmt) },
          { ALT: () => this.SUBRULE(this.continueStmt) },
          { ALT: () => this.SUBRULE(this.returnStmt) },
          { ALT: () => this.SUBRULE(this.emptyStmt) },
          {
            GATE: () => !this.is(1, T.Abstract) || this.is(2, T.Class),
            ALT: () => this.SUBRULE(this.rejectedClass),
          },
          { ALT: () => this.SUBRULE(this.rejectedTry) },
          { ALT: () => this.SUBRULE(this.rejectedThrow) },
          { ALT: () => this.SUBRULE(this.rejectedWith) },
          { ALT: () => this.SUBRULE(this.rejectedDebugger) },
          { ALT: () => this.SUBRULE(this.rejectedDecorator) },
          {
            GATE: () => this.isIdentifier(2) && !this.nl(2),
            ALT: () => this.SUBRULE(this.rejectedTypeAlias),
          },
          {
            GATE: () => (this.isIdentifier(2) || this.is(2, T.StringLiteral)) && !this.nl(2),
            ALT: () => this.SUBRULE(this.rejectedNamespace),
          },
          { GATE: () => this.is(2, T.Colon), ALT: () => this.SUBRULE(this.rejectedLabel) },
          { ALT: () => this.SUBRULE(this.expressionStmt) },
        ],
      })),
    );
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RCurly);
  });

  /** `const`/`let` (and `var`, rejected) with one or more declarators. */
  varStatement = this.RULE("varStatement", () => {
    this.SUBRULE(this.varDeclList);
    this.SUBRULE(this.semi);
  });

  varDeclList = this.RULE("varDeclList", () => {
    this.OR(
      this.alts("varDeclList.OR.7", () => [
        { ALT: () => this.CONSUME(T.Const) },
        { ALT: () => this.CONSUME(T.Let) },
        { ALT: () => this.CONSUME(T.Var) },
      ]),
    );
    this.SUBRULE(this.declarator);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.declarator);
    });
  });

  declarator = this.RULE("declarator", () => {
    this.OR(
      this.alts("declarator.OR.8", () => [
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.SUBRULE(this.rejectedPattern) },
      ]),
    );
    // `let x!: T;` — TypeScript's definite-assignment mark: a zero-initialised global.
    this.OPTION3(() => this.CONSUME(T.Bang));
    this.OPTION(() => this.SUBRULE(this.typeAnnotation));
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.assignmentExpr);
    });
  });

  typeAnnotation = this.RULE("typeAnnotation", () => {
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  /** `const enum E { … }` (and plain `enum`, rejected). */
  enumDecl = this.RULE("enumDecl", () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Enum);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    this.OPTION2(() => {
      this.SUBRULE(this.enumMember);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.enumMember);
      });
      this.OPTION3(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  rejectedPlainEnum = this.RULE("rejectedPlainEnum", () => {
    this.CONSUME(T.Enum);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.balancedBraces);
  });

  enumMember = this.RULE("enumMember", () => {
    this.OR(
      this.alts("enumMember.OR.9", () => [
        { ALT: () => this.CONSUME(T.IdentifierName) },
        { ALT: () => this.SUBRULE(this.rejectedEnumMemberName) },
      ]),
    );
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.assignmentExpr);
    });
  });

  rejectedEnumMemberName = this.RULE("rejectedEnumMemberName", () => {
    this.OR(
      this.alts("rejectedEnumMemberName.OR.10", () => [
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.IntLiteral) },
      ]),
    );
  });

  interfaceDecl = this.RULE("interfaceDecl", () => {
    this.CONSUME(T.Interface);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.rejectedTypeParams));
    this.OPTION2(() => {
      this.CONSUME(T.Extends);
      this.SUBRULE(this.type);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.type);
      });
    });
    this.CONSUME(T.LCurly);
    this.MANY2(() => this.SUBRULE(this.interfaceMember));
    this.CONSUME(T.RCurly);
  });

  interfaceMember = this.RULE("interfaceMember", () => {
    this.OR(
      this.alts("interfaceMember.OR.11", () => ({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.SUBRULE(this.rejectedIndexSignature) },
          {
            GATE: () =>
              this.is(1, T.Readonly) &&
              !this.is(2, T.Colon) &&
              !this.is(2, T.Question) &&
              !this.is(2, T.LParen),
            ALT: () => {
              this.CONSUME(T.Readonly);
              this.SUBRULE(this.fieldRest);
            },
          },
          { ALT: () => this.SUBRULE2(this.fieldRest) },
        ],
      })),
    );
    // Members end with `;` or `,`, which TypeScript lets a line break or `}` replace.
    this.OR2(
      this.alts("interfaceMember.OR2.12", () => [
        { ALT: () => this.CONSUME(T.Semicolon) },
        { ALT: () => this.CONSUME(T.Comma) },
        { GATE: () => this.is(1, T.RCurly) || this.nl(1), ALT: () => {} },
      ]),
    );
  });

  fieldRest = this.RULE("fieldRest", () => {
    this.CONSUME(T.IdentifierName);
    this.OPTION(() => this.SUBRULE(this.rejectedOptionalMark));
    this.OR(
      this.alts("fieldRest.OR.13", () => [
        { ALT: () => this.SUBRULE(this.typeAnnotation) },
        { ALT: () => this.SUBRULE(this.rejectedMethodSignature) },
      ]),
    );
  });

  rejectedOptionalMark = this.RULE("rejectedOptionalMark", () => {
    this.CONSUME(T.Question);
  });

  rejectedMethodSignature = this.RULE("rejectedMethodSignature", () => {
    this.SUBRULE(this.params);
    this.OPTION(() => this.SUBRULE(this.typeAnnotation));
  });

  rejectedIndexSignature = this.RULE("rejectedIndexSignature", () => {
    this.CONSUME(T.LBracket);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.typeAnnotation);
    this.CONSUME(T.RBracket);
    this.SUBRULE2(this.typeAnnotation);
  });

  rejectedTypeParams = this.RULE("rejectedTypeParams", () => {
    this.CONSUME(T.Less);
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier);
    });
    this.CONSUME(T.Greater);
  });

  /** `[async] function [*] name(params): T { … }`; nesting and `async`/`*` are rejected later. */
  functionDecl = this.RULE("functionDecl", () => {
    this.OPTION(() => this.CONSUME(T.Async));
    this.CONSUME(T.Function);
    this.OPTION2(() => this.SUBRULE(this.rejectedGeneratorStar));
    this.CONSUME(T.Identifier);
    this.OPTION3(() => this.SUBRULE(this.rejectedTypeParams));
    this.SUBRULE(this.params);
    this.OPTION4(() => this.SUBRULE(this.typeAnnotation));
    this.SUBRULE(this.block);
  });

  rejectedGeneratorStar = this.RULE("rejectedGeneratorStar", () => {
    this.CONSUME(T.Star);
  });

  params = this.RULE("params", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.param);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  param = this.RULE("param", () => {
    this.OPTION(() => this.CONSUME(T.Ellipsis));
    this.OR(
      this.alts("param.OR.14", () => [
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.CONSUME(T.This) },
        { ALT: () => this.SUBRULE(this.rejectedPattern) },
      ]),
    );
    this.OPTION2(() => this.SUBRULE(this.rejectedOptionalMark));
    this.OPTION3(() => this.SUBRULE(this.typeAnnotation));
    this.OPTION4(() => this.SUBRULE(this.rejectedDefault));
  });

  /** Destructuring. */
  rejectedPattern = this.RULE("rejectedPattern", () => {
    this.OR(
      this.alts("rejectedPattern.OR.15", () => [
        { ALT: () => this.SUBRULE(this.objectLiteral) },
        { ALT: () => this.SUBRULE(this.rejectedArrayLiteral) },
      ]),
    );
  });

  rejectedDefault = this.RULE("rejectedDefault", () => {
    this.CONSUME(T.Equals);
    this.SUBRULE(this.assignmentExpr);
  });

  /** `declare const X: T;` — other `declare` forms are parsed and rejected by the visitor. */
  declareDecl = this.RULE("declareDecl", () => {
    this.CONSUME(T.Declare);
    this.SUBRULE(this.statement);
  });

  ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(T.If);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
    this.SUBRULE(this.statement);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.SUBRULE2(this.statement);
    });
  });

  switchStmt = this.RULE("switchStmt", () => {
    this.CONSUME(T.Switch);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.switchClause));
    this.CONSUME(T.RCurly);
  });

  switchClause = this.RULE("switchClause", () => {
    this.OR(
      this.alts("switchClause.OR.16", () => [
        {
          ALT: () => {
            this.CONSUME(T.Case);
            this.SUBRULE(this.expression);
          },
        },
        { ALT: () => this.CONSUME(T.Default) },
      ]),
    );
    this.CONSUME(T.Colon);
    this.MANY(() => this.SUBRULE(this.statement));
  });

  /** `for (init; test; update)`; `for…of`/`for…in` parse only to be rejected. */
  forStmt = this.RULE("forStmt", () => {
    this.CONSUME(T.For);
    this.CONSUME(T.LParen);
    this.OPTION(() =>
      this.OR(
        this.alts("forStmt.OR.17", () => [
          { ALT: () => this.SUBRULE(this.varDeclList) },
          { ALT: () => this.SUBRULE(this.expression) },
        ]),
      ),
    );
    this.OR2(
      this.alts("forStmt.OR2.18", () => [
        {
          ALT: () => {
            this.CONSUME(T.Semicolon);
            this.OPTION2(() => this.SUBRULE2(this.expression, { LABEL: "test" }));
            this.CONSUME2(T.Semicolon);
            this.OPTION3(() => this.SUBRULE3(this.expression, { LABEL: "update" }));
          },
        },
        {
          ALT: () => {
            this.OR3([{ ALT: () => this.CONSUME(T.Of) }, { ALT: () => this.CONSUME(T.In) }]);
            this.SUBRULE(this.assignmentExpr);
          },
        },
      ]),
    );
    this.CONSUME(T.RParen);
    this.SUBRULE(this.statement);
  });

  whileStmt = this.RULE("whileStmt", () => {
    this.CONSUME(T.While);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
    this.SUBRULE(this.statement);
  });

  doWhileStmt = this.RULE("doWhileStmt", () => {
    this.CONSUME(T.Do);
    this.SUBRULE(this.statement);
    this.CONSUME(T.While);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
    // TypeScript inserts the `;` after do…while unconditionally.
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  breakStmt = this.RULE("breakStmt", () => {
    this.CONSUME(T.Break);
    this.OPTION({ GATE: () => !this.nl(1), DEF: () => this.SUBRULE(this.rejectedLabelRef) });
    this.SUBRULE(this.semi);
  });

  continueStmt = this.RULE("continueStmt", () => {
    this.CONSUME(T.Continue);
    this.OPTION({ GATE: () => !this.nl(1), DEF: () => this.SUBRULE(this.rejectedLabelRef) });
    this.SUBRULE(this.semi);
  });

  rejectedLabelRef = this.RULE("rejectedLabelRef", () => {
    this.CONSUME(T.Identifier);
  });

  returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(T.Return);
    this.OPTION({ GATE: () => !this.nl(1), DEF: () => this.SUBRULE(this.expression) });
    this.SUBRULE(this.semi);
  });

  emptyStmt = this.RULE("emptyStmt", () => {
    this.CONSUME(T.Semicolon);
  });

  expressionStmt = this.RULE("expressionStmt", () => {
    this.SUBRULE(this.expression);
    this.SUBRULE(this.semi);
  });

  rejectedClass = this.RULE("rejectedClass", () => {
    this.OPTION(() => this.CONSUME(T.Abstract));
    this.CONSUME(T.Class);
    this.MANY(() =>
      this.OR(
        this.alts("rejectedClass.OR.19", () => [
          { ALT: () => this.CONSUME(T.Identifier) },
          { ALT: () => this.CONSUME(T.Extends) },
          { ALT: () => this.CONSUME(T.Implements) },
          { ALT: () => this.CONSUME(T.Comma) },
          { ALT: () => this.CONSUME(T.Dot) },
          { ALT: () => this.CONSUME(T.Less) },
          { ALT: () => this.CONSUME(T.Greater) },
        ]),
      ),
    );
    this.SUBRULE(this.balancedBraces);
  });

  rejectedTry = this.RULE("rejectedTry", () => {
    this.CONSUME(T.Try);
    this.SUBRULE(this.block);
    this.OPTION(() => {
      this.CONSUME(T.Catch);
      this.OPTION2(() => {
        this.CONSUME(T.LParen);
        this.CONSUME(T.Identifier);
        this.OPTION3(() => this.SUBRULE(this.typeAnnotation));
        this.CONSUME(T.RParen);
      });
      this.SUBRULE2(this.block);
    });
    this.OPTION4(() => {
      this.CONSUME(T.Finally);
      this.SUBRULE3(this.block);
    });
  });

  rejectedThrow = this.RULE("rejectedThrow", () => {
    this.CONSUME(T.Throw);
    this.SUBRULE(this.expression);
    this.SUBRULE(this.semi);
  });

  rejectedWith = this.RULE("rejectedWith", () => {
    this.CONSUME(T.With);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
    this.SUBRULE(this.statement);
  });

  rejectedDebugger = this.RULE("rejectedDebugger", () => {
    this.CONSUME(T.Debugger);
    this.SUBRULE(this.semi);
  });

  rejectedDecorator = this.RULE("rejectedDecorator", () => {
    this.CONSUME(T.At);
    this.SUBRULE(this.callMemberExpr);
  });

  rejectedTypeAlias = this.RULE("rejectedTypeAlias", () => {
    this.CONSUME(T.Type);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.rejectedTypeParams));
    this.CONSUME(T.Equals);
    this.SUBRULE(this.type);
    this.SUBRULE(this.semi);
  });

  rejectedNamespace = this.RULE("rejectedNamespace", () => {
    this.OR(
      this.alts("rejectedNamespace.OR.20", () => [
        { ALT: () => this.CONSUME(T.Namespace) },
        { ALT: () => this.CONSUME(T.Module) },
      ]),
    );
    this.OR2(
      this.alts("rejectedNamespace.OR2.21", () => [
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
      ]),
    );
    this.SUBRULE(this.balancedBraces);
  });

  rejectedLabel = this.RULE("rejectedLabel", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.statement);
  });

  // ----------------------------------------------------------------------------- expressions

  /** A comma list here is the comma operator, rejected by the visitor. */
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.assignmentExpr);
    this.MANY(() => this.SUBRULE(this.rejectedCommaOperand));
  });

  rejectedCommaOperand = this.RULE("rejectedCommaOperand", () => {
    this.CONSUME(T.Comma);
    this.SUBRULE(this.assignmentExpr);
  });

  /** Assignment, conditional (`?:`, inlined to keep the CST small) and rejected arrows. */
  assignmentExpr = this.RULE("assignmentExpr", () => {
    this.SUBRULE(this.binaryExpr);
    this.OPTION(() => {
      this.CONSUME(T.Question);
      this.SUBRULE(this.assignmentExpr, { LABEL: "consequent" });
      this.CONSUME(T.Colon);
      this.SUBRULE2(this.assignmentExpr, { LABEL: "alternate" });
    });
    this.OPTION2(() =>
      this.OR(
        this.alts("assignmentExpr.OR.22", () => [
          {
            ALT: () => {
              this.SUBRULE(this.assignOp);
              this.SUBRULE3(this.assignmentExpr, { LABEL: "value" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.Arrow);
              // `=> {` is a block body, not an object literal.
              this.OR2({
                IGNORE_AMBIGUITIES: true,
                DEF: [
                  { ALT: () => this.SUBRULE(this.block) },
                  { ALT: () => this.SUBRULE4(this.assignmentExpr, { LABEL: "arrowBody" }) },
                ],
              });
            },
          },
        ]),
      ),
    );
  });

  assignOp = this.RULE("assignOp", () => {
    this.OR(
      this.alts("assignOp", () => [
        { ALT: () => this.CONSUME(T.Equals) },
        { ALT: () => this.CONSUME(T.PlusEq) },
        { ALT: () => this.CONSUME(T.MinusEq) },
        { ALT: () => this.CONSUME(T.StarEq) },
        { ALT: () => this.CONSUME(T.SlashEq) },
        { ALT: () => this.CONSUME(T.PercentEq) },
        { ALT: () => this.CONSUME(T.LessLessEq) },
        {
          // `>>>=` is lexed as `>` `>` `>=`.
          GATE: () => this.greaterOp() === ">>>=",
          ALT: () => {
            this.CONSUME(T.Greater);
            this.CONSUME2(T.Greater);
            this.CONSUME(T.GreaterEq);
          },
        },
        {
          GATE: () => this.greaterOp() === ">>=",
          ALT: () => {
            this.CONSUME3(T.Greater);
            this.CONSUME2(T.GreaterEq);
          },
        },
        { ALT: () => this.CONSUME(T.AmpEq) },
        { ALT: () => this.CONSUME(T.BarEq) },
        { ALT: () => this.CONSUME(T.CaretEq) },
        { ALT: () => this.CONSUME(T.StarStarEq) },
        { ALT: () => this.CONSUME(T.AmpAmpEq) },
        { ALT: () => this.CONSUME(T.BarBarEq) },
        { ALT: () => this.CONSUME(T.QuestionQuestionEq) },
      ]),
    );
  });

  /**
   * All binary operators at once; the visitor applies precedence (one rule instead of one
   * per level keeps the CST, and so parse time, small). `**`, `??`, `in`, `instanceof`,
   * `as` and `satisfies` are parsed only to be rejected.
   */
  binaryExpr = this.RULE("binaryExpr", () => {
    this.SUBRULE(this.unaryExpr);
    this.MANY({
      // A `>` that starts `>>=`/`>>>=` belongs to the assignment.
      GATE: () => this.greaterOp() !== ">>=" && this.greaterOp() !== ">>>=",
      DEF: () =>
        this.OR(
          this.alts("binaryItem", () => [
            {
              ALT: () => {
                this.OR2(
                  this.alts("binaryOp", () => [
                    { ALT: () => this.CONSUME(T.BarBar) },
                    { ALT: () => this.CONSUME(T.AmpAmp) },
                    { ALT: () => this.CONSUME(T.Bar) },
                    { ALT: () => this.CONSUME(T.Caret) },
                    { ALT: () => this.CONSUME(T.Amp) },
                    { ALT: () => this.CONSUME(T.EqualsEquals) },
                    { ALT: () => this.CONSUME(T.NotEquals) },
                    { ALT: () => this.CONSUME(T.StrictEquals) },
                    { ALT: () => this.CONSUME(T.StrictNotEquals) },
                    { ALT: () => this.CONSUME(T.Less) },
                    { ALT: () => this.CONSUME(T.LessEq) },
                    { ALT: () => this.CONSUME(T.GreaterEq) },
                    { ALT: () => this.CONSUME(T.LessLess) },
                    {
                      // `>>>` and `>>` are lexed as adjacent `>` tokens.
                      GATE: () => this.greaterOp() === ">>>",
                      ALT: () => {
                        this.CONSUME(T.Greater);
                        this.CONSUME2(T.Greater);
                        this.CONSUME3(T.Greater);
                      },
                    },
                    {
                      GATE: () => this.greaterOp() === ">>",
                      ALT: () => {
                        this.CONSUME4(T.Greater);
                        this.CONSUME5(T.Greater);
                      },
                    },
                    { ALT: () => this.CONSUME6(T.Greater) },
                    { ALT: () => this.CONSUME(T.Plus) },
                    { ALT: () => this.CONSUME(T.Minus) },
                    { ALT: () => this.CONSUME(T.Star) },
                    { ALT: () => this.CONSUME(T.Slash) },
                    { ALT: () => this.CONSUME(T.Percent) },
                    { ALT: () => this.CONSUME(T.StarStar) },
                    { ALT: () => this.CONSUME(T.QuestionQuestion) },
                    { ALT: () => this.CONSUME(T.Instanceof) },
                    { ALT: () => this.CONSUME(T.In) },
                  ]),
                );
                this.SUBRULE2(this.unaryExpr);
              },
            },
            { ALT: () => this.SUBRULE(this.rejectedCast) },
          ]),
        ),
    });
  });

  /** `x as T`, `x satisfies T` */
  rejectedCast = this.RULE("rejectedCast", () => {
    this.OR(
      this.alts("rejectedCast.OR.23", () => [
        { ALT: () => this.CONSUME(T.As) },
        { ALT: () => this.CONSUME(T.Satisfies) },
      ]),
    );
    // `as const` on a top-level object of constants is a constant table (the visitor decides).
    this.OR2(
      this.alts("rejectedCast.OR2.23b", () => [
        { ALT: () => this.CONSUME(T.Const) },
        { ALT: () => this.SUBRULE(this.type) },
      ]),
    );
  });

  unaryExpr = this.RULE("unaryExpr", () => {
    this.OR(
      this.alts("unary", () => [
        {
          ALT: () => {
            this.OR2(
              this.alts("unaryOp", () =>
                UNARY_OPERATORS.map((tok) => ({ ALT: () => this.CONSUME(tok) })),
              ),
            );
            this.SUBRULE(this.unaryExpr);
          },
        },
        { ALT: () => this.SUBRULE(this.rejectedUnary) },
        { ALT: () => this.SUBRULE(this.rejectedAngleCast) },
        { ALT: () => this.SUBRULE(this.callMemberExpr) },
      ]),
    );
  });

  rejectedUnary = this.RULE("rejectedUnary", () => {
    this.OR(
      this.alts("rejectedUnary.OR.24", () =>
        REJECTED_PREFIX_OPERATORS.map((tok) => ({ ALT: () => this.CONSUME(tok) })),
      ),
    );
    this.SUBRULE(this.unaryExpr);
  });

  /** `<T>x` */
  rejectedAngleCast = this.RULE("rejectedAngleCast", () => {
    this.CONSUME(T.Less);
    this.SUBRULE(this.type);
    this.CONSUME(T.Greater);
    this.SUBRULE(this.unaryExpr);
  });

  /** Member access, indexing and calls, then an optional postfix `++`/`--`. */
  callMemberExpr = this.RULE("callMemberExpr", () => {
    // The primary expression is inlined (not a rule of its own): one CST node less per
    // operand, which is most of the parse time.
    this.OR4(
      this.alts("primary", () => [
        { ALT: () => this.CONSUME(T.IntLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.CONSUME(T.Null) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.SUBRULE(this.parenExpr) },
        { ALT: () => this.SUBRULE(this.objectLiteral) },
        { ALT: () => this.SUBRULE(this.newExpr) },
        { ALT: () => this.CONSUME(T.FloatLiteral) },
        { ALT: () => this.CONSUME(T.BigIntLiteral) },
        { ALT: () => this.CONSUME(T.TemplateLiteral) },
        { ALT: () => this.CONSUME(T.This) },
        { ALT: () => this.CONSUME(T.Super) },
        { ALT: () => this.SUBRULE(this.rejectedArrayLiteral) },
        { ALT: () => this.SUBRULE(this.rejectedFunctionExpr) },
      ]),
    );
    this.MANY(() =>
      this.OR(
        this.alts("suffix", () => [
          {
            ALT: () => {
              this.CONSUME(T.Dot);
              this.CONSUME(T.IdentifierName);
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.LBracket);
              this.SUBRULE(this.expression);
              this.CONSUME(T.RBracket);
            },
          },
          { ALT: () => this.SUBRULE(this.args) },
          {
            ALT: () => {
              this.CONSUME(T.QuestionDot);
              this.OR2(
                this.alts("callMemberExpr.OR2.25", () => [
                  { ALT: () => this.CONSUME2(T.IdentifierName) },
                  { ALT: () => this.SUBRULE2(this.args) },
                  {
                    ALT: () => {
                      this.CONSUME2(T.LBracket);
                      this.SUBRULE2(this.expression);
                      this.CONSUME2(T.RBracket);
                    },
                  },
                ]),
              );
            },
          },
          { GATE: () => !this.nl(1), ALT: () => this.SUBRULE(this.rejectedNonNull) },
        ]),
      ),
    );
    // No line break before a postfix operator: `a\n++b` is `a; ++b`.
    this.OPTION({
      GATE: () => !this.nl(1),
      DEF: () =>
        this.OR3(
          this.alts("callMemberExpr.OR3.26", () => [
            { ALT: () => this.CONSUME(T.PlusPlus) },
            { ALT: () => this.CONSUME(T.MinusMinus) },
          ]),
        ),
    });
  });

  rejectedNonNull = this.RULE("rejectedNonNull", () => {
    this.CONSUME(T.Bang);
  });

  args = this.RULE("args", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.argument);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  argument = this.RULE("argument", () => {
    this.OPTION(() => this.CONSUME(T.Ellipsis));
    this.SUBRULE(this.assignmentExpr);
  });

  /** Also the parameter list of a rejected arrow function: `(a: u32, b) => …`. */
  parenExpr = this.RULE("parenExpr", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.parenItem);
      this.MANY(() => this.SUBRULE(this.rejectedParenListItem));
    });
    this.CONSUME(T.RParen);
  });

  /** More items: arrow-function parameters or the comma operator. */
  rejectedParenListItem = this.RULE("rejectedParenListItem", () => {
    this.CONSUME(T.Comma);
    this.SUBRULE(this.parenItem);
  });

  parenItem = this.RULE("parenItem", () => {
    this.OPTION(() => this.CONSUME(T.Ellipsis));
    this.SUBRULE(this.assignmentExpr);
    this.OPTION2(() => this.SUBRULE(this.rejectedParamType));
  });

  /** `(x: T)`: only an arrow function's parameter looks like this. */
  rejectedParamType = this.RULE("rejectedParamType", () => {
    this.SUBRULE(this.typeAnnotation);
  });

  objectLiteral = this.RULE("objectLiteral", () => {
    this.CONSUME(T.LCurly);
    this.OPTION(() => {
      this.SUBRULE(this.objectMember);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.objectMember);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  objectMember = this.RULE("objectMember", () => {
    this.OR(
      this.alts("objectMember.OR.27", () => [
        {
          ALT: () => {
            this.CONSUME(T.IdentifierName);
            this.OPTION(() =>
              this.OR2([
                {
                  ALT: () => {
                    this.CONSUME(T.Colon);
                    this.SUBRULE(this.assignmentExpr);
                  },
                },
                { ALT: () => this.SUBRULE(this.rejectedMethod) },
              ]),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Ellipsis);
            this.SUBRULE2(this.assignmentExpr);
          },
        },
        { ALT: () => this.SUBRULE(this.rejectedComputedKey) },
      ]),
    );
  });

  rejectedMethod = this.RULE("rejectedMethod", () => {
    this.SUBRULE(this.params);
    this.OPTION(() => this.SUBRULE(this.typeAnnotation));
    this.SUBRULE(this.block);
  });

  rejectedComputedKey = this.RULE("rejectedComputedKey", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RBracket);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.assignmentExpr);
  });

  newExpr = this.RULE("newExpr", () => {
    this.CONSUME(T.New);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.typeArgs));
    this.OPTION2(() => this.SUBRULE(this.args));
  });

  rejectedArrayLiteral = this.RULE("rejectedArrayLiteral", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.argument);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  rejectedFunctionExpr = this.RULE("rejectedFunctionExpr", () => {
    this.CONSUME(T.Function);
    this.OPTION(() => this.CONSUME(T.Star));
    this.OPTION2(() => this.CONSUME(T.Identifier));
    this.SUBRULE(this.params);
    this.OPTION3(() => this.SUBRULE(this.typeAnnotation));
    this.SUBRULE(this.block);
  });

  // ----------------------------------------------------------------------------- types

  type = this.RULE("type", () => {
    this.OPTION(() => this.CONSUME(T.Bar));
    this.SUBRULE(this.arrayType);
    this.MANY(() => {
      this.CONSUME2(T.Bar);
      this.SUBRULE2(this.arrayType);
    });
  });

  /** `T[]` is rejected; parsed so the error can name it. */
  arrayType = this.RULE("arrayType", () => {
    this.SUBRULE(this.typeAtom);
    this.MANY(() => this.SUBRULE(this.rejectedArraySuffix));
  });

  rejectedArraySuffix = this.RULE("rejectedArraySuffix", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => this.SUBRULE(this.type));
    this.CONSUME(T.RBracket);
  });

  typeAtom = this.RULE("typeAtom", () => {
    this.OR(
      this.alts("typeAtom", () => ({
        // `keyof`/`readonly` are also identifiers; before a name they are type operators.
        IGNORE_AMBIGUITIES: true,
        DEF: [
          {
            GATE: () =>
              this.is(1, T.Typeof) ||
              ((this.is(1, T.Keyof) || this.is(1, T.Readonly)) && this.isIdentifier(2)),
            ALT: () => this.SUBRULE(this.rejectedTypeOperator),
          },
          { ALT: () => this.SUBRULE(this.typeRef) },
          { ALT: () => this.CONSUME(T.Void) },
          { ALT: () => this.CONSUME(T.Null) },
          { ALT: () => this.CONSUME(T.IntLiteral) },
          { ALT: () => this.SUBRULE(this.rejectedTypeForm) },
        ],
      })),
    );
  });

  rejectedTypeOperator = this.RULE("rejectedTypeOperator", () => {
    this.OR(
      this.alts("rejectedTypeOperator.OR.28", () => [
        { ALT: () => this.CONSUME(T.Typeof) },
        { ALT: () => this.CONSUME(T.Keyof) },
        { ALT: () => this.CONSUME(T.Readonly) },
      ]),
    );
    this.SUBRULE(this.typeAtom);
  });

  /** Literal, object, tuple and function types. */
  rejectedTypeForm = this.RULE("rejectedTypeForm", () => {
    this.OR(
      this.alts("rejectedTypeForm.OR.29", () => [
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.SUBRULE(this.balancedBraces) },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            this.OPTION(() => {
              this.SUBRULE(this.type);
              this.MANY(() => {
                this.CONSUME(T.Comma);
                this.SUBRULE2(this.type);
              });
            });
            this.CONSUME(T.RBracket);
          },
        },
        {
          ALT: () => {
            this.SUBRULE(this.params);
            this.CONSUME(T.Arrow);
            this.SUBRULE3(this.type);
          },
        },
      ]),
    );
  });

  typeRef = this.RULE("typeRef", () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier);
    });
    this.OPTION(() => this.SUBRULE(this.typeArgs));
  });

  typeArgs = this.RULE("typeArgs", () => {
    this.CONSUME(T.Less);
    this.SUBRULE(this.type);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.type);
    });
    this.CONSUME(T.Greater);
  });
}

let shared: IoubpfParser | undefined;
/** One parser for the process: building one runs chevrotain's grammar analysis (~100 ms). */
export function sharedParser(): IoubpfParser {
  return (shared ??= new IoubpfParser());
}
