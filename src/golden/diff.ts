// A unified-style line diff for golden-file mismatches (expected → actual).

type Op = { kind: " " | "-" | "+"; line: string };

/** Line edit script by longest common subsequence (golden files are small). */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  // Trim the common prefix and suffix first: most mismatches are a few lines.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (
    suf < a.length - pre &&
    suf < b.length - pre &&
    a[a.length - 1 - suf] === b[b.length - 1 - suf]
  )
    suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const n = A.length;
  const m = B.length;
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: " ", line }));
  if (n * m > 4_000_000) {
    // Too large for the table: show the middle as removed then added.
    for (const line of A) ops.push({ kind: "-", line });
    for (const line of B) ops.push({ kind: "+", line });
  } else {
    const w = m + 1;
    const len = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        len[i * w + j] =
          A[i] === B[j]
            ? len[(i + 1) * w + j + 1]! + 1
            : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && A[i] === B[j]) {
        ops.push({ kind: " ", line: A[i]! });
        i++;
        j++;
      } else if (i < n && (j >= m || len[(i + 1) * w + j]! >= len[i * w + j + 1]!)) {
        // Removals before additions, as diff(1) prints them.
        ops.push({ kind: "-", line: A[i++]! });
      } else {
        ops.push({ kind: "+", line: B[j++]! });
      }
    }
  }
  for (const line of a.slice(a.length - suf)) ops.push({ kind: " ", line });
  return ops;
}

const lines = (s: string): string[] => {
  const l = s.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
};

/**
 * `--- expected` / `+++ actual` and `@@ -a,b +c,d @@` hunks with `context` lines around each
 * change; "" when the texts are equal.
 */
export function unifiedDiff(
  expected: string,
  actual: string,
  names: { expected: string; actual: string },
  context = 3,
): string {
  if (expected === actual) return "";
  const ops = editScript(lines(expected), lines(actual));
  const out = [`--- ${names.expected}`, `+++ ${names.actual}`];
  // Positions (1-based) in each file before every op.
  const posA: number[] = [];
  const posB: number[] = [];
  let pa = 1;
  let pb = 1;
  for (const op of ops) {
    posA.push(pa);
    posB.push(pb);
    if (op.kind !== "+") pa++;
    if (op.kind !== "-") pb++;
  }
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.kind === " ") {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` after the last change
    // that is within 2*context of the previous one.
    const start = Math.max(0, k - context);
    let end = k;
    let last = k;
    while (end < ops.length) {
      if (ops[end]!.kind !== " ") last = end;
      else if (end - last > 2 * context) break;
      end++;
    }
    end = Math.min(ops.length, last + context + 1);
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.kind !== "+").length;
    const bLen = hunk.filter((o) => o.kind !== "-").length;
    const aStart = aLen ? posA[start]! : posA[start]! - 1;
    const bStart = bLen ? posB[start]! : posB[start]! - 1;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    k = end;
  }
  if (!expected.endsWith("\n") && expected !== "") out.push("\\ No newline at end of expected");
  return out.join("\n") + "\n";
}
