// The parser's diagnostics (block E1000–E1999, see src/diagnostics/codes.ts): one row per
// problem, with the code, the message and what to do instead. Rows for constructs outside the
// language say why the construct cannot exist in a BPF program. docs/language-parser.md
// lists them; a test checks that every code is unique and inside the block.

export interface ParserMessage {
  code: string;
  message: string;
  hint?: string;
}

const row = (code: string, message: string, hint?: string): ParserMessage =>
  hint === undefined ? { code, message } : { code, message, hint };

export const ParserMessages = {
  // --- lexical and general syntax (E1000–E1019)
  unexpectedCharacter: row(
    "E1001",
    "unexpected character",
    "remove it; only ASCII identifiers and TypeScript punctuation are allowed",
  ),
  unterminatedString: row(
    "E1002",
    "unterminated string literal",
    "close the string with the same quote on the same line",
  ),
  unterminatedComment: row("E1003", "unterminated block comment", "close the comment with */"),
  syntax: row("E1004", "syntax error"),
  nestingTooDeep: row(
    "E1005",
    "nesting is too deep",
    "split the expression or statement into smaller pieces; BPF programs must stay small",
  ),
  missingSemicolon: row(
    "E1006",
    "expected ';'",
    "end the statement with ';' or put the next statement on a new line",
  ),
  badNumericSeparator: row("E1007", "misplaced '_' in a number", "put '_' only between digits"),
  legacyOctal: row(
    "E1008",
    "legacy octal literals are not allowed",
    "write 0o17 for octal or drop the leading zero",
  ),
  invalidEscape: row("E1009", "invalid escape sequence in string literal"),
  tooManyErrors: row("E1010", "too many syntax errors; stopping"),
  internal: row("E1011", "internal error in the parser", "please report this input"),

  // --- placement (E1020–E1039)
  statementAtTopLevel: row(
    "E1020",
    "statements are not allowed at top level: a BPF program only runs code in its entry points",
    "move this statement into onStart() or onCompletion()",
  ),
  declarationNotTopLevel: row(
    "E1021",
    "this declaration must be at top level",
    "move it out of the function",
  ),
  nestedFunction: row(
    "E1022",
    "closures are not available in BPF programs: move this function to the top level",
    "declare it at top level and pass what it needs as parameters (at most 5)",
  ),
  exportNotAllowed: row("E1023", "only functions, const/let, enums and interfaces can be exported"),

  // --- outside the language (E1040–E1199)
  classDecl: row(
    "E1040",
    "classes are not available in BPF programs: there are no objects or methods at run time",
    "use an interface for the data and top-level functions for the behaviour",
  ),
  arrowFunction: row(
    "E1041",
    "arrow functions are closures, which are not available in BPF programs",
    "declare a top-level function instead",
  ),
  functionExpression: row(
    "E1042",
    "function expressions are closures, which are not available in BPF programs",
    "declare a top-level function instead",
  ),
  tryStmt: row(
    "E1043",
    "exceptions are not available in BPF programs: there is no unwinding in the kernel",
    "check results and return early instead of try/catch",
  ),
  throwStmt: row(
    "E1044",
    "exceptions are not available in BPF programs: 'throw' cannot be caught or reported",
    "return early, or emit() an error completion and stop()",
  ),
  floatLiteral: row(
    "E1045",
    "floating-point numbers are not available in BPF programs: the kernel forbids FPU use",
    "use integers (for example scale by 1000)",
  ),
  bigintLiteral: row(
    "E1046",
    "bigint literals are not allowed: integer types are numbers in TypeScript",
    "drop the 'n' suffix; the literal takes the type its context needs",
  ),
  anyType: row(
    "E1047",
    "'any' is not available: every value in a BPF program needs a fixed size and layout",
    "write the integer or struct type",
  ),
  unknownType: row(
    "E1048",
    "'unknown' is not available: every value in a BPF program needs a fixed size and layout",
    "write the integer or struct type",
  ),
  asyncFunction: row(
    "E1049",
    "async functions are not available: a BPF program runs to completion without suspending",
    "submit the next operation and handle its completion in onCompletion()",
  ),
  awaitExpr: row(
    "E1050",
    "'await' is not available: a BPF program cannot suspend",
    "submit the operation and handle its completion in onCompletion()",
  ),
  generator: row(
    "E1051",
    "generators are not available: a BPF program cannot suspend and resume",
    "keep the state in top-level 'let' variables",
  ),
  yieldExpr: row(
    "E1052",
    "'yield' is not available: a BPF program cannot suspend and resume",
    "keep the state in top-level 'let' variables",
  ),
  spread: row(
    "E1053",
    "spread and rest ('...') are not available: BPF has no variable-length arguments or copies of unknown size",
    "list the fields or arguments one by one",
  ),
  optionalChaining: row(
    "E1054",
    "optional chaining ('?.') is not available",
    "check for null with 'if (x !== null)' first",
  ),
  // E1055 ('??') is retired: `m.get(k) ?? d` is part of the language.
  varDecl: row(
    "E1056",
    "'var' is not available: its function scoping has no place in the language",
    "use 'let' or 'const'",
  ),
  thisExpr: row(
    "E1057",
    "'this' is not available: there are no objects or methods in BPF programs",
    "pass the value as a parameter",
  ),
  templateLiteral: row(
    "E1058",
    "template literals are not available: BPF programs cannot build strings",
    'use trace("fmt %d", x) to print values',
  ),
  forOf: row(
    "E1059",
    "'for…of' is not available: there are no iterators in BPF programs",
    "write 'for (let i = 0; i < N; i++)' with a constant bound",
  ),
  forIn: row(
    "E1060",
    "'for…in' is not available: there are no dynamic objects in BPF programs",
    "write 'for (let i = 0; i < N; i++)' with a constant bound",
  ),
  labelledStmt: row(
    "E1061",
    "labelled statements are not available",
    "restructure the loop, or move it to a helper function and return",
  ),
  decorator: row(
    "E1062",
    "decorators are not available: there is no run-time metadata in BPF programs",
  ),
  namespace: row(
    "E1063",
    "namespaces and modules are not available: one source file is one program",
    "declare the items at top level",
  ),
  exportDefault: row(
    "E1064",
    "default exports are not available: the loader finds entry points by name",
    "write 'export function onStart(): void' or 'export function onCompletion(cqe: Cqe): void'",
  ),
  importOtherModule: row(
    "E1065",
    'imports are only allowed from "ioubpf/lang": one source file is one program',
  ),
  asCast: row(
    "E1066",
    "type assertions ('as') are not available: they would change a type without converting the value",
    "convert explicitly with u32(x), i64(x), …",
  ),
  angleCast: row(
    "E1067",
    "type assertions ('<T>x') are not available: they would change a type without converting the value",
    "convert explicitly with u32(x), i64(x), …",
  ),
  nonNullAssertion: row(
    "E1068",
    "non-null assertions ('x!') are not available: the verifier requires a real null check",
    "write 'if (x !== null) { … }'",
  ),
  optionalParam: row(
    "E1069",
    "optional parameters are not available: BPF functions take a fixed number of arguments",
    "make the parameter required",
  ),
  defaultParam: row(
    "E1070",
    "default parameter values are not available: BPF functions take a fixed number of arguments",
    "pass the value at each call",
  ),
  destructuring: row("E1071", "destructuring is not available", "read each field with 'x.field'"),
  arrayLiteral: row(
    "E1072",
    "array literals are not available: there are no dynamic arrays in BPF programs",
    "use a FixedArray<T, N> field of a struct",
  ),
  exponent: row(
    "E1073",
    "'**' is not available: BPF has no power instruction",
    "multiply, or shift for powers of two (1 << n)",
  ),
  typeofExpr: row(
    "E1074",
    "'typeof' is not available: there are no run-time types in BPF programs",
  ),
  deleteExpr: row(
    "E1075",
    "'delete' is not available: objects have a fixed layout in BPF programs",
    "to remove a map entry, use m.delete(key)",
  ),
  instanceofExpr: row(
    "E1076",
    "'instanceof' is not available: there are no classes in BPF programs",
  ),
  inExpr: row(
    "E1077",
    "'in' is not available: objects have a fixed layout in BPF programs",
    "for maps, use m.has(key)",
  ),
  withStmt: row("E1078", "'with' is not available"),
  voidExpr: row(
    "E1079",
    "the 'void' operator is not available",
    "write the expression as a statement",
  ),
  typeAlias: row(
    "E1080",
    "type aliases are not available",
    "use the type directly, or declare an interface",
  ),
  plainEnum: row(
    "E1081",
    "plain enums are not available: they exist at run time as objects",
    "write 'const enum'",
  ),
  enumMemberNotIdentifier: row("E1082", "enum member names must be identifiers"),
  genericDecl: row(
    "E1083",
    "generic functions and interfaces are not available: every BPF function has one fixed machine signature",
    "write the concrete types",
  ),
  arrayType: row(
    "E1084",
    "array types are not available: there are no dynamic arrays in BPF programs",
    "use FixedArray<T, N>",
  ),
  unionType: row(
    "E1085",
    "union types are not available (only 'T | null' for map lookups)",
    "use one integer type, or a const enum",
  ),
  functionType: row(
    "E1086",
    "function types are not available: BPF programs cannot pass functions around",
  ),
  objectType: row("E1087", "object type literals are not available", "declare an interface"),
  tupleType: row("E1088", "tuple types are not available", "declare an interface"),
  literalType: row("E1089", "literal types other than integer type arguments are not available"),
  qualifiedType: row(
    "E1090",
    "qualified type names are not available",
    'import the type from "ioubpf/lang" by name',
  ),
  optionalField: row(
    "E1091",
    "optional interface fields are not available: structs have a fixed layout",
    "make the field required",
  ),
  interfaceMethod: row(
    "E1092",
    "methods are not available in interfaces: structs hold data only",
    "declare a top-level function",
  ),
  interfaceExtends: row(
    "E1093",
    "interface inheritance is not available",
    "embed the other struct as a field",
  ),
  indexSignature: row(
    "E1094",
    "index signatures are not available: structs have a fixed layout",
    "use a map or a FixedArray<T, N> field",
  ),
  untypedParam: row(
    "E1095",
    "parameters need a type: without one it would be 'any'",
    "annotate the parameter, for example 'x: u32'",
  ),
  thisParam: row("E1096", "'this' parameters are not available"),
  commaExpr: row("E1097", "the comma operator is not available", "write separate statements"),
  logicalAssign: row(
    "E1098",
    "logical assignment ('&&=', '||=', '??=') is not available",
    "write 'if (…) x = …'",
  ),
  exponentAssign: row(
    "E1099",
    "'**=' is not available: BPF has no power instruction",
    "multiply, or shift for powers of two",
  ),
  unaryPlus: row(
    "E1100",
    "unary '+' is not available: it converts to number in TypeScript",
    "write the operand alone",
  ),
  superExpr: row("E1101", "'super' is not available: there are no classes in BPF programs"),
  methodInObject: row(
    "E1102",
    "methods in object literals are closures, which are not available",
    "declare a top-level function",
  ),
  computedKey: row(
    "E1103",
    "computed property names are not available: struct fields are fixed",
    "write the field name",
  ),
  debuggerStmt: row(
    "E1104",
    "'debugger' is not available in BPF programs",
    'use trace("…") to print values',
  ),
  exportList: row(
    "E1106",
    "export lists and re-exports are not available",
    "put 'export' on the declaration itself",
  ),
  importForm: row("E1107", 'only named imports are available: import { … } from "ioubpf/lang"'),
  declareForm: row(
    "E1108",
    "only 'declare const NAME: type;' is available",
    "declare loader-set globals as 'declare const X: u32;'",
  ),
  declareInit: row(
    "E1109",
    "'declare const' cannot have an initializer: the loader sets its value",
    "use 'const' for a compile-time constant",
  ),
  declareNeedsType: row("E1110", "'declare const' needs a type", "write 'declare const X: u32;'"),
  satisfiesExpr: row("E1111", "'satisfies' is not available", "remove it"),
  constWithoutInit: row(
    "E1113",
    "'const' declarations need an initializer",
    "write 'const X = …;' or use 'declare const X: T;' for loader-set values",
  ),
  asConstPlace: row(
    "E1115",
    "'as const' makes a constant table only on a top-level const object of constants",
    "write it at top level: const Op = { Read: 1, Write: 2 } as const;",
  ),
  keyofType: row(
    "E1114",
    "type operators ('keyof', 'typeof', 'readonly T[]') are not available",
    "write the concrete type",
  ),
} as const satisfies Record<string, ParserMessage>;

export type ParserMessageKey = keyof typeof ParserMessages;
