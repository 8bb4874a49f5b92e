// Issue 16: `ioubpf run` accepts a golden scenario with `sources:` (docs/vm.md shows
// examples/ping-pong/v2), and scenario problems found against the object (a map or program the
// object lacks) are reported at the scenario key's line, not against the object.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, pingPongObject, ROOT, tempDir } from "./helpers.js";

const dir = tempDir("scen");
const obj = join(dir, "pp.o");
writeFileSync(obj, pingPongObject());

test("run accepts examples/ping-pong/v2's golden scenario (with sources:)", async () => {
  const r = await cli(["run", obj, "-s", join(ROOT, "examples/ping-pong/v2/ping.scenario.yaml")]);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /sources/);
  assert.match(r.out, /run\(s\)/);
});

const CASES: [string, string, number, RegExp][] = [
  ["programs", "programs:\n  - ping\n  - nosuch\n", 3, /program nosuch .* is not in the object/],
  ["program", "ring: { sq_entries: 4 }\nprogram: zzz\n", 2, /no program named zzz/],
  [
    "maps",
    'ring: { sq_entries: 4 }\nmaps:\n  nomap:\n    entries: {0: "01000000"}\n',
    3,
    /maps\.nomap: the object has no such map/,
  ],
];
for (const [name, text, line, pattern] of CASES) {
  test(`a scenario's ${name} the object lacks is reported at line ${line}`, async () => {
    const s = join(dir, `${name}.yaml`);
    writeFileSync(s, text);
    const r = await cli(["run", obj, "-s", s]);
    assert.equal(r.code, 1);
    assert.match(r.err, pattern);
    assert.match(r.err, new RegExp(`${name}\\.yaml:${line}:\\d+: error`));
    const j = JSON.parse((await cli(["run", obj, "-s", s, "--json"])).out) as {
      diagnostics: { range?: { start: { line: number } } }[];
    };
    assert.equal(j.diagnostics[0]!.range?.start.line, line);
  });
}
