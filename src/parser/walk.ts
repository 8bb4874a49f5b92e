// Generic traversal of the AST: every field holding a node or an array of nodes is a child.
// Iterative, so it is safe on any tree the parser returns.
import type { Node } from "./ast.js";

const isNode = (v: unknown): v is Node =>
  typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string";

/** Calls `f` on each direct child of `node`, in field order. */
export function forEachChild(node: Node, f: (child: Node) => void): void {
  for (const key in node) {
    if (key === "range" || key === "sourceRange") continue;
    const v = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) f(x);
    } else if (isNode(v)) f(v);
  }
}

/** Height of the tree (a leaf is 1). */
export function astDepth(root: Node): number {
  let max = 0;
  const stack: [Node, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    forEachChild(n, (c) => stack.push([c, d + 1]));
  }
  return max;
}

/**
 * The outermost expression on the first path deeper than `limit` (where to report a tree too
 * deep to compile), or the deepest node's statement when no expression is on that path.
 */
export function tooDeepAt(root: Node, limit: number): Node | undefined {
  const stack: [Node, number, Node | undefined][] = [[root, 1, undefined]];
  while (stack.length > 0) {
    const [n, d, outerExpr] = stack.pop()!;
    const isExpr = /Expr$|Literal$|^Identifier$/.test(n.kind);
    const outer = outerExpr ?? (isExpr ? n : undefined);
    if (d > limit) return outer ?? n;
    forEachChild(n, (c) => stack.push([c, d + 1, outer]));
  }
  return undefined;
}
