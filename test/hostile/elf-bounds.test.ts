// Issue 15: size, count and offset fields of an object are checked against the file before
// use, so a damaged object gives diagnostics in bounded time, never a hang.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  cli,
  pingPongObject,
  sectionHeaders,
  sectionName,
  symbolEntry,
  tempDir,
} from "./helpers.js";

const dir = tempDir("elf");

function damaged(name: string, patch: (b: Uint8Array, v: DataView) => void): string {
  const b = new Uint8Array(pingPongObject());
  patch(b, new DataView(b.buffer));
  const path = join(dir, name);
  writeFileSync(path, b);
  return path;
}

async function timed(args: string[]) {
  const t0 = performance.now();
  const r = await cli(args);
  return { ...r, ms: performance.now() - t0 };
}

test("a symbol with st_size 0xffffffff is E5020 in verify, disasm and run, quickly", async () => {
  // The original input: `verify` ran past 20 s on it.
  const path = damaged("huge-size.o", (b, v) =>
    v.setBigUint64(symbolEntry(b, "ping") + 16, 0xffffffffn, true),
  );
  for (const cmd of ["verify", "disasm", "run"]) {
    const r = await timed([cmd, path]);
    assert.equal(r.code, 1, `${cmd}: ${r.err}`);
    assert.match(r.err, /E5020: symbol 'ping' \(value 0, size 4294967295\) extends past/);
    assert.ok(r.ms < 5000, `${cmd} took ${r.ms} ms`);
    assert.doesNotMatch(r.err, /\n\s+at /, "no stack trace");
  }
});

test("a symbol value past its section is E5020", async () => {
  const path = damaged("huge-value.o", (b, v) =>
    v.setBigUint64(symbolEntry(b, "pong") + 8, 0x7fffff00n, true),
  );
  const r = await timed(["verify", path]);
  assert.equal(r.code, 1);
  assert.match(r.err, /E5020: symbol 'pong'/);
});

test("BTF and BTF.ext lengths and record counts beyond the data are diagnostics", async () => {
  const btf = (b: Uint8Array) => sectionHeaders(b).find((h) => sectionName(b, h) === ".BTF")!;
  const ext = (b: Uint8Array) => sectionHeaders(b).find((h) => sectionName(b, h) === ".BTF.ext")!;
  const cases: [string, (b: Uint8Array, v: DataView) => void][] = [
    ["btf-type-len", (b, v) => v.setUint32(btf(b).offset + 12, 0xfffffff0, true)],
    ["btf-str-len", (b, v) => v.setUint32(btf(b).offset + 20, 0xffffffff, true)],
    ["btf-hdr-len", (b, v) => v.setUint32(btf(b).offset + 4, 0xffffffff, true)],
    // First func_info block: record count (after the 4-byte record size and the name offset).
    [
      "ext-func-count",
      (b, v) => {
        const h = ext(b);
        const hdr = v.getUint32(h.offset + 4, true);
        const fo = v.getUint32(h.offset + 8, true);
        v.setUint32(h.offset + hdr + fo + 8, 0xffffffff, true);
      },
    ],
    [
      "ext-line-recsize",
      (b, v) => {
        const h = ext(b);
        const hdr = v.getUint32(h.offset + 4, true);
        const lo = v.getUint32(h.offset + 16, true);
        v.setUint32(h.offset + hdr + lo, 0xfffffff0, true);
      },
    ],
  ];
  for (const [name, patch] of cases) {
    const path = damaged(`${name}.o`, patch);
    for (const cmd of [["verify"], ["disasm", "-S"], ["run"]]) {
      const r = await timed([...cmd, path]);
      assert.ok(r.code === 0 || r.code === 1, `${name} ${cmd[0]}: exit ${r.code}\n${r.err}`);
      assert.doesNotMatch(r.err, /internal error|\n\s+at /, `${name} ${cmd[0]}: ${r.err}`);
      assert.ok(r.ms < 5000, `${name} ${cmd[0]} took ${r.ms} ms`);
    }
  }
});

test("a .BTF larger than the kernel's 16 MiB is refused before decoding", async () => {
  const { decodeBtf, BTF_MAX_SIZE } = await import("../../src/elf/btf.js");
  const big = new Uint8Array(BTF_MAX_SIZE + 1);
  const t0 = performance.now();
  const r = decodeBtf(big, "x.o");
  assert.ok(performance.now() - t0 < 1000);
  assert.match(r.diagnostics[0]!.message, /the limit is 16777216/);
});

test("an object over the binary input limit is E9006 naming the file", async () => {
  const { Limits } = await import("../../cli/io.js");
  const { truncateSync, closeSync, openSync } = await import("node:fs");
  const p = join(dir, "huge.o");
  closeSync(openSync(p, "w"));
  truncateSync(p, Limits.maxBinaryInput + 1); // sparse: no disk used
  const r = await cli(["disasm", p]);
  assert.equal(r.code, 1);
  assert.match(r.err, /E9006: .*huge\.o is \d+ bytes; the limit is/);
});

test("a source over the text input limit is E9006 naming the file", async () => {
  const { Limits } = await import("../../cli/io.js");
  const { truncateSync, closeSync, openSync } = await import("node:fs");
  const p = join(dir, "huge.bpf.ts");
  closeSync(openSync(p, "w"));
  truncateSync(p, Limits.maxTextInput + 1);
  const r = await cli(["compile", p]);
  assert.equal(r.code, 1);
  assert.match(r.err, /E9006: .*huge\.bpf\.ts is \d+ bytes; the limit is/);
});

// Found by the long fuzz run (issue 15): `.p2align 32` in a mutated listing made `asm`
// allocate an 8 GiB object (a section's file offset is aligned to its alignment) and run
// past the 10 s limit. An alignment beyond the largest section is E4015 at the directive.
test("asm: an alignment beyond the largest section is E4015 at the directive, quickly", async () => {
  for (const [line, col, text] of [
    [2, 11, "\t.text\n\t.p2align\t32\n\tr0 = 0\n\texit\n"],
    [2, 9, "\t.text\n\t.balign 1073741824\n\tr0 = 0\n\texit\n"],
    [2, 9, "\t.text\n\t.lcomm buf, 8, 4294967296\n"],
  ] as const) {
    const path = join(dir, `align-${line}-${col}-${text.length}.s`);
    writeFileSync(path, text);
    const t0 = performance.now();
    const r = await cli(["asm", path, "-o", join(dir, "align.o")]);
    assert.ok(performance.now() - t0 < 5000, "bounded time");
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.err,
      new RegExp(
        `align-[^:]*\\.s:${line}:\\d+: error E4015: alignment .* larger than the largest section`,
      ),
    );
    assert.doesNotMatch(r.err, /internal error|This is a bug|\n\s+at /);
  }
});
