// Promise 1 of language.md: every valid program (and every example) type-checks under
// `tsc --strict --noEmit` against ioubpf/lang, resolved through the package's own `./lang`
// export. The negative half proves the check can fail: wrong programs must be rejected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const VALID = join(ROOT, "test", "programs", "valid");
const EXAMPLES = join(ROOT, "examples");

function bpfFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".bpf.ts"))
    .map((f) => join(dir, f));
}

function runTsc(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(TSC, args, { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

test("every valid program and example type-checks under tsc --strict", () => {
  const r = runTsc(["-p", "test/programs/tsconfig.json", "--listFilesOnly"]);
  assert.equal(r.status, 0, r.out);
  const listed = new Set(r.out.split("\n").map((l) => resolve(l.trim())));
  const expected = [
    ...bpfFiles(VALID),
    ...bpfFiles(join(VALID, "..", "realistic")),
    ...bpfFiles(EXAMPLES),
  ];
  assert.ok(expected.length >= 67, `only ${expected.length} programs found`);
  for (const f of expected) assert.ok(listed.has(f), `tsconfig does not include ${f}`);
  assert.ok(
    listed.has(join(ROOT, "lang", "index.d.ts")),
    "ioubpf/lang did not resolve to lang/index.d.ts",
  );

  const check = runTsc(["-p", "test/programs/tsconfig.json"]);
  assert.equal(check.out.trim(), "", "tsc reported errors");
  assert.equal(check.status, 0);
});

// Each wrong program must fail at the marked line; `want` is the TS error code expected there.
const WRONG: { name: string; src: string; want: string }[] = [
  {
    name: "unknown-field",
    src: `submit.read({ fd: 1, len: 8, bogus: 2 }); // ERR`,
    want: "TS2353",
  },
  {
    name: "field-of-another-op",
    src: `submit.read({ fd: 1, len: 8, pollEvents: 1 }); // ERR`,
    want: "TS2353",
  },
  {
    name: "missing-required-field",
    src: `submit.write({ fd: 1, len: 8 }); // ERR`,
    want: "TS2345",
  },
  {
    name: "non-integer-field",
    src: `submit.nop({ userData: "x" }); // ERR`,
    want: "TS2322",
  },
  {
    name: "unknown-op",
    src: `submit.frobnicate({}); // ERR`,
    want: "TS2339",
  },
  {
    name: "cqe-is-readonly",
    src: `export function onCompletion(cqe: Cqe): void {\n  cqe.res = 0; // ERR\n}`,
    want: "TS2540",
  },
  {
    name: "raw-sqe-needs-opcode",
    src: `submit.sqe({ fd: 1 }); // ERR`,
    want: "TS2345",
  },
  {
    name: "map-value-needs-null-check",
    src: `const m = new HashMap<u32, Pair>(8);\ninterface Pair { a: u64; b: u64 }\nexport function onStart(): void {\n  const v = m.get(1);\n  v.a = 2; // ERR\n}`,
    want: "TS18047",
  },
  {
    name: "emit-needs-res",
    src: `emit({ userData: 1 }); // ERR`,
    want: "TS2345",
  },
];

test("wrong programs fail under tsc at the marked line", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-lang-"));
  try {
    const header = `import { Cqe, submit, emit, HashMap, u32, u64 } from "ioubpf/lang";\n`;
    const lineOf = new Map<string, number>();
    for (const w of WRONG) {
      const text = header + w.src + "\n";
      const errLine = text.split("\n").findIndex((l) => l.includes("// ERR")) + 1;
      lineOf.set(`${w.name}.bpf.ts`, errLine);
      writeFileSync(join(dir, `${w.name}.bpf.ts`), text);
    }
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022"],
          types: [],
          strict: true,
          noEmit: true,
          paths: { "ioubpf/lang": [join(ROOT, "lang", "index.d.ts")] },
        },
        include: ["*.bpf.ts"],
      }),
    );
    const r = spawnSync(TSC, ["-p", dir], { cwd: dir, encoding: "utf8" });
    assert.notEqual(r.status, 0, "tsc accepted wrong programs");
    const errors = [...r.stdout.matchAll(/^([\w-]+\.bpf\.ts)\((\d+),\d+\): error (TS\d+)/gm)].map(
      (m) => ({
        file: m[1]!,
        line: Number(m[2]),
        code: m[3]!,
      }),
    );
    for (const w of WRONG) {
      const file = `${w.name}.bpf.ts`;
      const mine = errors.filter((e) => e.file === file);
      assert.ok(
        mine.some((e) => e.line === lineOf.get(file) && e.code === w.want),
        `${file}: expected ${w.want} at line ${lineOf.get(file)}, got ${JSON.stringify(mine)}\n${r.stdout}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
