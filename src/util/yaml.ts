// One YAML loader for every user-facing YAML reader (scenarios, golden scenarios): every
// problem the `yaml` package can produce — syntax errors, duplicate keys, unresolved aliases,
// alias bombs, nesting deep enough to exhaust the stack — becomes one diagnostic with the
// caller's code at the line that caused it, never an exception (docs/limits.md).
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
} from "yaml";
import { type Diagnostic, SourceFile } from "../diagnostics/index.js";

/** Deepest mapping/list nesting accepted; scenarios need about 5 levels. */
export const MAX_YAML_DEPTH = 64;
/** Aliases expanded at most (an alias bomb is refused, not expanded). */
export const MAX_YAML_ALIASES = 100;
/** Largest YAML text read (bytes of UTF-16 text, close enough to file size). */
export const MAX_YAML_TEXT = 16 * 1024 * 1024;

export interface LoadedYaml {
  /** The document and its plain value; both absent when there were errors. */
  doc?: Document;
  value?: unknown;
  diagnostics: Diagnostic[];
}

export function loadYaml(
  text: string,
  file: string,
  code: string,
  options: { uniqueKeys?: boolean } = {},
): LoadedYaml {
  const source = new SourceFile(file, text);
  const diagnostics: Diagnostic[] = [];
  const at = (message: string, start = 0, end = start): void => {
    diagnostics.push({ code, severity: "error", message, range: source.range(start, end) });
  };
  if (text.length > MAX_YAML_TEXT) {
    at(`the file is ${text.length} characters; the limit is ${MAX_YAML_TEXT} (docs/limits.md)`);
    return { diagnostics };
  }
  // The `yaml` package recurses per nesting level; near the stack's end V8 can even abort
  // the process (a regexp compile that cannot allocate), so depth is checked before parsing.
  const deep = nestingExcess(text, MAX_YAML_DEPTH);
  if (deep !== undefined) {
    at(`(syntax): nesting deeper than ${MAX_YAML_DEPTH} levels (docs/limits.md)`, deep);
    return { diagnostics };
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { intAsBigInt: false, uniqueKeys: options.uniqueKeys ?? true });
  } catch (e) {
    at(`(syntax): ${cleanMessage(e)}`);
    return { diagnostics };
  }
  for (const e of doc.errors.slice(0, 20))
    at(`(syntax): ${cleanMessage(e)}`, e.pos[0], Math.max(e.pos[0], e.pos[1]));
  if (diagnostics.length) return { diagnostics };

  // Depth and aliases, walked with an explicit stack so that the walk itself cannot overflow.
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  const aliases: { start: number; end: number; unresolved?: string }[] = [];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node)) {
      const r = node.range ?? [0, 0];
      aliases.push({
        start: r[0],
        end: r[1],
        ...(node.resolve(doc) === undefined ? { unresolved: node.source } : {}),
      });
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_YAML_DEPTH) {
      const r = (node as Node).range ?? [0, 0];
      at(`(syntax): nesting deeper than ${MAX_YAML_DEPTH} levels (docs/limits.md)`, r[0], r[0]);
      return { diagnostics };
    }
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        // A key that is not a plain value (a mapping, a sequence, `!!binary` bytes, an alias
        // of one) has no meaning in any of our files, and converting it makes the yaml
        // package print a Node warning to stderr.
        const bad = notPlainKey(doc, item.key);
        if (bad) {
          const r = (item.key as Node | null)?.range ?? [0, 0];
          at(`(syntax): a key must be a plain value, not ${bad}`, r[0], Math.max(r[0], r[1]));
          return { diagnostics };
        }
        stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  aliases.sort((a, b) => a.start - b.start);
  for (const a of aliases)
    if (a.unresolved !== undefined)
      at(
        `(syntax): unresolved alias *${a.unresolved} (no anchor &${a.unresolved} before it)`,
        a.start,
        a.end,
      );
  if (diagnostics.length === 0 && aliases.length > MAX_YAML_ALIASES) {
    const a = aliases[MAX_YAML_ALIASES]!;
    at(`(syntax): more than ${MAX_YAML_ALIASES} aliases (docs/limits.md)`, a.start, a.end);
  }
  if (diagnostics.length) return { diagnostics };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // Aliases that expand to too much (an alias bomb) are refused here: at the first alias.
    at(`(syntax): ${cleanMessage(e)}`, aliases[0]?.start ?? 0, aliases[0]?.end ?? 0);
    return { diagnostics };
  }
  return { doc, value, diagnostics };
}

/** What makes a mapping key unusable ("a mapping", …), or undefined for a plain scalar. */
function notPlainKey(doc: Document, key: unknown): string | undefined {
  const node = isAlias(key) ? key.resolve(doc) : key;
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a sequence";
  if (isScalar(node) && node.value !== null && typeof node.value === "object")
    return `a ${node.tag ?? "non-scalar"} value`;
  return undefined;
}

/** The first line of the package's message, without its own "at line L, column C" suffix. */
function cleanMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const first = m.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (/Maximum call stack size exceeded/.test(first))
    return `nesting is too deep to read (the limit is ${MAX_YAML_DEPTH} levels, docs/limits.md)`;
  return first;
}

/**
 * Where the nesting of `text` first exceeds `max` levels (block indentation, `- ` entries
 * and flow brackets outside quotes and comments), or undefined. A linear scan; it only has
 * to be exact enough not to refuse documents of ordinary depth.
 */
export function nestingExcess(text: string, max: number): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let base = 0; // block depth where the open flow collection started
  let scalarIndent = -1; // inside a block scalar (`|`, `>`): lines indented deeper are text
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lineStart = i;
    let indent = 0;
    while (i < n && text[i] === " ") {
      i++;
      indent++;
    }
    const blank = i >= n || text[i] === "\n" || text[i] === "\r" || text[i] === "#";
    if (scalarIndent >= 0 && (blank || indent > scalarIndent)) {
      while (i < n && text[i] !== "\n") i++;
      i++;
      continue;
    }
    scalarIndent = -1;
    if (blank) {
      while (i < n && text[i] !== "\n") i++;
      i++;
      continue;
    }
    let depth = base + flow;
    if (flow === 0) {
      while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      depth = indents.length;
      // Compact entries on one line: `- - - x` or `? - x` nest one level each.
      while (i + 1 < n && (text[i] === "-" || text[i] === "?") && text[i + 1] === " ") {
        depth++;
        i += 2;
        while (i < n && text[i] === " ") i++;
        if (depth > max) return i;
      }
    }
    if (depth > max) return lineStart + indent;
    let quote = "";
    let prev = " ";
    for (; i < n && text[i] !== "\n"; i++) {
      const c = text[i]!;
      if (quote) {
        if (quote === '"' && c === "\\") i++;
        else if (c === quote) quote = "";
        prev = c;
        continue;
      }
      if (c === "#" && (prev === " " || prev === "\t")) {
        while (i < n && text[i] !== "\n") i++;
        break;
      }
      if ((c === '"' || c === "'") && /[\s:,[{?-]/.test(prev)) quote = c;
      else if (c === "[" || c === "{") {
        if (flow === 0) base = depth;
        flow++;
        if (base + flow > max) return i;
      } else if ((c === "]" || c === "}") && flow > 0) flow--;
      prev = c;
    }
    // A block scalar header (`key: |`, `- >-`, `|2`) ends the line.
    if (flow === 0 && /[|>][-+0-9]*$/.test(text.slice(Math.max(lineStart, i - 5), i).trimEnd()))
      scalarIndent = indent;
    i++;
  }
  return undefined;
}
