// The scenario's `wait_idx` key: the wait_idx a BPF request's context starts with (a loader
// sets it for programs that wait on another CQ), for every program or per program name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseScenario } from "../../src/vm/scenario.js";

test("wait_idx: a number, a per-program mapping, or an error naming the key", () => {
  assert.equal(parseScenario("wait_idx: 1\n").scenario!.waitIdx, 1);
  assert.deepEqual(parseScenario("wait_idx: { ping: 1, pong: 2 }\n").scenario!.waitIdx, {
    ping: 1,
    pong: 2,
  });
  assert.equal(parseScenario("{}").scenario!.waitIdx, undefined);
  const bad = parseScenario("wait_idx: { ping: -1 }\n");
  assert.equal(bad.scenario, undefined);
  assert.equal(bad.diagnostics[0]!.code, "E8010");
  assert.match(bad.diagnostics[0]!.message, /wait_idx\.ping/);
});
