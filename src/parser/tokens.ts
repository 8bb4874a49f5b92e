// Every token of the language in one place, including tokens that exist only so constructs
// outside the language (classes, floats, `=>`, `??`, …) get a specific error instead of a
// generic "unexpected character". Order matters: chevrotain tries patterns in list order,
// so longer punctuators come before their prefixes, and keywords use `longer_alt` so that
// `classic` stays an identifier.
//
// `>>`, `>>>` and their assignments are NOT tokens: `>` is lexed alone so that nested type
// arguments (`ArrayMap<u32, FixedArray<u8, 4>>`) close naturally; the parser joins adjacent
// `>` tokens into shift operators.
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Every token except `{` and `}`; lets the parser skip a rejected class body as a unit. */
export const NonBrace = createToken({ name: "NonBrace", pattern: Lexer.NA });

/** Identifiers and every keyword: what may follow `.` or name a field (`m.delete(k)`). */
export const IdentifierName = createToken({ name: "IdentifierName", pattern: Lexer.NA });

const all: TokenType[] = [];
function tok(config: Parameters<typeof createToken>[0]): TokenType {
  const categories = config.categories
    ? Array.isArray(config.categories)
      ? config.categories
      : [config.categories]
    : [];
  const t = createToken({ ...config, categories: [...categories, NonBrace] });
  all.push(t);
  return t;
}

export const WhiteSpace = tok({
  name: "WhiteSpace",
  pattern: /[ \t\f\v\r\n\u00a0\ufeff\u2028\u2029]+/,
  group: Lexer.SKIPPED,
});
export const LineComment = tok({
  name: "LineComment",
  pattern: /\/\/[^\n\r\u2028\u2029]*/,
  group: Lexer.SKIPPED,
});
export const BlockComment = tok({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** An unterminated comment swallows the rest of the file; the parser reports it. */
export const UnterminatedComment = tok({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
});

export const TemplateLiteral = tok({
  name: "TemplateLiteral",
  pattern: /`(?:[^`\\]|\\[\s\S])*`?/,
  line_breaks: true,
});
export const StringLiteral = tok({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\[\s\S])*"|'(?:[^'\\\r\n]|\\[\s\S])*'/,
  line_breaks: true,
});
/** A string missing its closing quote on its line; reported with a specific message. */
export const UnterminatedString = tok({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[\s\S])*|'(?:[^'\\\r\n]|\\[\s\S])*/,
});

export const FloatLiteral = tok({
  name: "FloatLiteral",
  pattern:
    /\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\.\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\d[\d_]*[eE][+-]?\d[\d_]*|\d[\d_]*\.(?![.\w$])/,
});
export const BigIntLiteral = tok({
  name: "BigIntLiteral",
  pattern: /(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*)n/,
});
export const IntLiteral = tok({
  name: "IntLiteral",
  pattern: /0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*/,
});

// Created here (keywords name it as their longer_alt) but listed after the keywords.
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_$][\w$]*/,
  categories: [NonBrace, IdentifierName],
  label: "identifier",
});

function keyword(word: string, identifierToo = false): TokenType {
  return tok({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
    // Contextual keywords stay usable as names (`cqe.type`, a variable called `from`).
    categories: identifierToo ? [Identifier, IdentifierName] : [IdentifierName],
  });
}

// Reserved words of strict-mode TypeScript (modules are strict).
export const Import = keyword("import");
export const Export = keyword("export");
export const Const = keyword("const");
export const Let = keyword("let");
export const Var = keyword("var");
export const Function = keyword("function");
export const Return = keyword("return");
export const If = keyword("if");
export const Else = keyword("else");
export const Switch = keyword("switch");
export const Case = keyword("case");
export const Default = keyword("default");
export const For = keyword("for");
export const While = keyword("while");
export const Do = keyword("do");
export const Break = keyword("break");
export const Continue = keyword("continue");
export const New = keyword("new");
export const True = keyword("true");
export const False = keyword("false");
export const Null = keyword("null");
export const Void = keyword("void");
export const Enum = keyword("enum");
export const Interface = keyword("interface");
export const Class = keyword("class");
export const Extends = keyword("extends");
export const Implements = keyword("implements");
export const Try = keyword("try");
export const Catch = keyword("catch");
export const Finally = keyword("finally");
export const Throw = keyword("throw");
export const This = keyword("this");
export const Super = keyword("super");
export const Typeof = keyword("typeof");
export const Delete = keyword("delete");
export const Instanceof = keyword("instanceof");
export const In = keyword("in");
export const With = keyword("with");
export const Yield = keyword("yield");
export const Await = keyword("await");
export const Debugger = keyword("debugger");
export const Private = keyword("private");
export const Protected = keyword("protected");
export const Public = keyword("public");
export const Static = keyword("static");
export const Package = keyword("package");

// Contextual keywords: also identifiers.
export const From = keyword("from", true);
export const Declare = keyword("declare", true);
export const Readonly = keyword("readonly", true);
export const Type = keyword("type", true);
// `async` before `as`: the first matching pattern wins and `as` is its prefix.
export const Async = keyword("async", true);
export const As = keyword("as", true);
export const Of = keyword("of", true);
export const Namespace = keyword("namespace", true);
export const Module = keyword("module", true);
export const Satisfies = keyword("satisfies", true);
export const Abstract = keyword("abstract", true);
export const Keyof = keyword("keyof", true);
all.push(Identifier);

function punct(name: string, pattern: string): TokenType {
  return tok({
    name,
    label: `'${pattern}'`,
    pattern: new RegExp(pattern.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")),
  });
}

// Longest first.
export const Ellipsis = punct("Ellipsis", "...");
export const StrictEquals = punct("StrictEquals", "===");
export const StrictNotEquals = punct("StrictNotEquals", "!==");
export const StarStarEq = punct("StarStarEq", "**=");
export const LessLessEq = punct("LessLessEq", "<<=");
export const AmpAmpEq = punct("AmpAmpEq", "&&=");
export const BarBarEq = punct("BarBarEq", "||=");
export const QuestionQuestionEq = punct("QuestionQuestionEq", "??=");
export const Arrow = punct("Arrow", "=>");
export const EqualsEquals = punct("EqualsEquals", "==");
export const NotEquals = punct("NotEquals", "!=");
export const LessEq = punct("LessEq", "<=");
export const GreaterEq = punct("GreaterEq", ">=");
export const AmpAmp = punct("AmpAmp", "&&");
export const BarBar = punct("BarBar", "||");
export const QuestionQuestion = punct("QuestionQuestion", "??");
/** `?.` but not `?.5` (a conditional followed by a float). */
export const QuestionDot = tok({ name: "QuestionDot", pattern: /\?\.(?!\d)/ });
export const PlusPlus = punct("PlusPlus", "++");
export const MinusMinus = punct("MinusMinus", "--");
export const PlusEq = punct("PlusEq", "+=");
export const MinusEq = punct("MinusEq", "-=");
export const StarEq = punct("StarEq", "*=");
export const SlashEq = punct("SlashEq", "/=");
export const PercentEq = punct("PercentEq", "%=");
export const AmpEq = punct("AmpEq", "&=");
export const BarEq = punct("BarEq", "|=");
export const CaretEq = punct("CaretEq", "^=");
export const StarStar = punct("StarStar", "**");
export const LessLess = punct("LessLess", "<<");
export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
all.push(LCurly, RCurly);
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const Semicolon = punct("Semicolon", ";");
export const Comma = punct("Comma", ",");
export const Dot = punct("Dot", ".");
export const Colon = punct("Colon", ":");
export const Question = punct("Question", "?");
export const Equals = punct("Equals", "=");
export const Less = punct("Less", "<");
export const Greater = punct("Greater", ">");
export const Plus = punct("Plus", "+");
export const Minus = punct("Minus", "-");
export const Star = punct("Star", "*");
export const Slash = punct("Slash", "/");
export const Percent = punct("Percent", "%");
export const Amp = punct("Amp", "&");
export const Bar = punct("Bar", "|");
export const Caret = punct("Caret", "^");
export const Bang = punct("Bang", "!");
export const Tilde = punct("Tilde", "~");
export const At = punct("At", "@");

/** Token order for the lexer (the NonBrace category is not a pattern). */
export const allTokens: TokenType[] = [...all];
/** For the parser: every token type it may see, categories included. */
export const parserVocabulary: TokenType[] = [NonBrace, IdentifierName, ...all];

export const lexer = new Lexer(allTokens, {
  // Positions are computed from offsets by SourceFile; chevrotain's own tracking would
  // only duplicate that work.
  positionTracking: "onlyOffset",
  ensureOptimizations: false,
  // The token set is fixed; test/plugin/startup.test.ts builds this lexer validated.
  skipValidations: true,
});

/**
 * Tokens that only exist so constructs outside the language get a specific error. The
 * published grammar (scripts/gen-grammar.ts) drops every production that needs one.
 */
export const rejectedTokens: ReadonlySet<TokenType> = new Set([
  UnterminatedComment,
  UnterminatedString,
  TemplateLiteral,
  FloatLiteral,
  BigIntLiteral,
  Var,
  Class,
  Extends,
  Implements,
  Try,
  Catch,
  Finally,
  Throw,
  This,
  Super,
  Typeof,
  Delete,
  Instanceof,
  In,
  With,
  Yield,
  Await,
  Debugger,
  Private,
  Protected,
  Public,
  Static,
  Package,
  Async,
  Satisfies,
  Abstract,
  Keyof,
  Namespace,
  Module,
  Of,
  Ellipsis,
  QuestionDot,
  QuestionQuestion,
  QuestionQuestionEq,
  AmpAmpEq,
  BarBarEq,
  StarStar,
  StarStarEq,
  Arrow,
  At,
]);
