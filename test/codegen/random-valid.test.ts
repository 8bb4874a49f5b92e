// Random VALID programs (test/programs/gen/arbitrary.ts): each must compile by default for
// iouring-v2 and linux-7.1, pass our verifier, run in the VM's simulation without faults, and,
// on iouring-v2, agree with the kernel's run of its first invocation (SQEs, emitted CQEs, the
// context written back, final globals) when the kernel oracle is available. The kernel is the
// strict one, except for programs only its speculative walk rejects ("infinite loop
// detected"; by design, docs/verifier.md), which the privileged kernel runs. Our verifier's
// processed count must stay at most 2× the privileged kernel's.
// RANDOM_VALID_SEED / RANDOM_VALID_RUNS override the fixed seed and count.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compile } from "../../src/codegen/index.js";
import { formatDiagnostics } from "../../src/diagnostics/index.js";
import { kernelOracleAvailable, kernelRun, kernelVerify } from "../../src/kernel/index.js";
import { getTarget } from "../../src/targets/targets.js";
import { verifyObject } from "../../src/verifier/index.js";
import { makeHelpers, type HelperEvent } from "../../src/vm/helpers.js";
import { loadObject } from "../../src/vm/loader.js";
import { CompletionQueue, UserMemory } from "../../src/vm/ring.js";
import { defaultScenario } from "../../src/vm/scenario.js";
import { simulate } from "../../src/vm/simulate.js";
import { progArb, render } from "../programs/gen/arbitrary.js";

const SEED = Number(process.env.RANDOM_VALID_SEED ?? 20261207);
const RUNS = Number(process.env.RANDOM_VALID_RUNS ?? 100);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Instructions our verifier processed in the last build() (all programs of the object). */
let lastProcessed = 0;

function build(text: string, target: string) {
  const r = compile([{ path: "gen.bpf.ts", text }], { target });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.object || errs.length)
    throw new Error(`${target}: does not compile\n${formatDiagnostics(r.diagnostics, {})}`);
  const v = verifyObject(r.object, { target: target as never });
  if (!v.ok)
    throw new Error(`${target}: our verifier rejects\n${formatDiagnostics(v.diagnostics, {})}`);
  lastProcessed = v.stats.programs.reduce((n, p) => n + p.insnsProcessed, 0);
  return r.object;
}

/** The VM's run of the first invocation, with the same context as the kernel's. */
function vmFirstRun(obj: ReturnType<typeof build>, input: Uint8Array) {
  const { loaded: L, diagnostics } = loadObject(obj, { maxInsns: 1_000_000 });
  if (!L) throw new Error(`the VM cannot load it: ${diagnostics[0]?.message}`);
  const ctx = L.vm.mem.add("ctx", input.length, { data: input });
  const queued: Uint8Array[] = [];
  const events: HelperEvent[] = [];
  L.vm.setHelpers(
    makeHelpers({
      target: getTarget("iouring-v2"),
      mem: L.vm.mem,
      mapList: L.mapList,
      cqs: [0, 1, 2, 3].map((i) => new CompletionQueue(i, 64)),
      user: new UserMemory(),
      ctx: () => ctx,
      clock: { now: 0n, step: 1n },
      rng: { state: 1 },
      queueSqe: (raw) => {
        queued.push(raw.slice());
        return queued.length - 1;
      },
      event: (e) => events.push(e),
      sleepable: () => true,
    }),
  );
  const vr = L.vm.run(L.programs[0]!.slot, [L.vm.mem.addressOf(ctx)]);
  return { vr, ctx, queued, events, L };
}

test(
  `random valid programs: compile, verify, simulate, agree with the kernel (seed ${SEED}, ${RUNS} programs)`,
  { timeout: 120_000 },
  async (t) => {
    const avail = kernelOracleAvailable();
    if (!avail.ok)
      t.diagnostic(`kernel comparison skipped: ${(avail as { reason?: string }).reason}`);
    let compared = 0;
    let byDesign = 0; // rejected only by the strict kernel's speculative walk
    let strictTooLarge = 0; // over the 1M budget only in the strict kernel (shim artefact)
    const t0 = performance.now();
    try {
      await fc.assert(
        fc.asyncProperty(progArb, async (p) => {
          const text = render(p);
          try {
            build(render(p, "linux-7.1"), "linux-7.1");
            const obj = build(text, "iouring-v2");
            const ours = lastProcessed;
            const sim = simulate(obj, defaultScenario(), { target: "iouring-v2" });
            const faults = sim.events.filter((e) => e.type === "fault");
            const errs = sim.diagnostics.filter((d) => d.severity === "error");
            if (faults.length || errs.length || !sim.final)
              throw new Error(
                `VM simulation: ${JSON.stringify(faults[0] ?? errs[0]?.message ?? "no final state")}`,
              );
            if (!avail.ok) return;
            const input = new Uint8Array(16);
            const runOpts = {
              target: "iouring-v2" as const,
              ctx: input,
              nCq: 4,
              maxSqes: 64,
              maxEmits: 64,
            };
            let k = await kernelRun(obj, runOpts);
            // Two strict-only rejections are judged by the privileged kernel (io_uring
            // programs load privileged), each counted apart:
            // - "infinite loop detected" (by design, docs/verifier.md): the strict kernel's
            //   Spectre-v1 walk of a decided branch's impossible side can find one in a counted
            //   loop (local array index chains, generator seed 2);
            // - over the 1M budget: the oracle's shims stand in for io_uring helpers with BPF
            //   code whose pointer arithmetic on unknown offsets makes the strict kernel push a
            //   speculative path per call (docs/kernel-oracle.md); a loop of calls can then pass
            //   the budget where a real helper call adds nothing.
            const strictOnly =
              k.verdict !== "reject"
                ? undefined
                : /infinite loop detected/.test(k.reason ?? "")
                  ? "byDesign"
                  : /program is too large|too complex/.test(k.log)
                    ? "tooLarge"
                    : undefined;
            if (strictOnly) {
              const lenient = await kernelRun(obj, { ...runOpts, strict: false });
              if (lenient.verdict === "accept") {
                if (strictOnly === "byDesign") byDesign++;
                else strictTooLarge++;
                k = lenient;
              }
            }
            if (k.verdict !== "accept" || !k.ctxOut)
              throw new Error(
                `kernel ${k.verdict}: ${k.reason}\n${k.log.split("\n").slice(-15).join("\n")}`,
              );
            const { vr, ctx, queued, events, L } = vmFirstRun(obj, input);
            const diffs: string[] = [];
            if (vr.fault) diffs.push(`VM fault: ${vr.fault.message}`);
            if ((k.retval ?? 0) !== Number(BigInt.asIntN(32, vr.r0)))
              diffs.push(`retval kernel ${k.retval} VM ${vr.r0}`);
            if (hex(k.ctxOut) !== hex(ctx.bytes))
              diffs.push(`context kernel ${hex(k.ctxOut)} VM ${hex(ctx.bytes)}`);
            for (const [name, bytes] of Object.entries(k.globals)) {
              const v = L.data.get(name)?.bytes;
              if (!v || hex(v) !== hex(bytes))
                diffs.push(`${name} kernel ${hex(bytes)} VM ${v ? hex(v) : "-"}`);
            }
            const ks = k.sqes.map(hex).join(" ");
            const vs = queued.map(hex).join(" ");
            if (ks !== vs) diffs.push(`SQEs\n  kernel: ${ks}\n  VM:     ${vs}`);
            const vmEmits = events
              .filter(
                (e): e is Extract<HelperEvent, { type: "emit" }> =>
                  e.type === "emit" && e.ret === 0,
              )
              .map((e) => `${e.cq}/${e.userData}/${e.res}/${e.flags}`)
              .join(" ");
            const kEmits = k.emitted
              .map((e) => `${e.cq}/${e.userData}/${e.res}/${e.flags}`)
              .join(" ");
            if (vmEmits !== kEmits) diffs.push(`emitted kernel [${kEmits}] VM [${vmEmits}]`);
            if (diffs.length) throw new Error(`VM and kernel differ:\n${diffs.join("\n")}`);
            // issue 13: our verifier explores at most twice what the privileged kernel does
            const kv = await kernelVerify(obj, { target: "iouring-v2", strict: false });
            if (kv.verdict === "accept" && kv.processedInsns && ours > 2 * kv.processedInsns)
              throw new Error(
                `our verifier processes ${ours} instructions, more than 2× the privileged kernel's ${kv.processedInsns}`,
              );
            compared++;
          } catch (e) {
            throw new Error(`${(e as Error).message}\n--- program ---\n${text}`);
          }
        }),
        {
          seed: SEED,
          numRuns: RUNS,
          endOnFailure: process.env.RANDOM_VALID_SHRINK === undefined,
          includeErrorInReport: true,
        },
      );
    } catch (e) {
      assert.fail(`seed ${SEED} (RANDOM_VALID_SEED=${SEED}): ${(e as Error).message}`);
    }
    t.diagnostic(
      `${RUNS} programs, ${compared} compared with the kernel (${byDesign} by design: only the strict kernel's speculative walk rejects them; ${strictTooLarge} over the strict kernel's budget only through the shims' speculative paths; both compared with the privileged kernel), ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  },
);

// Found by the generator: a map pointer spilled to statement scratch (a call's argument cycle,
// or a temporary evicted across a nested lookup) was partly overwritten by the next
// statement's 4-byte key store: "attempt to corrupt spilled pointer on stack" in the kernel.
test("a spilled map pointer is never partly overwritten by later scratch (kernel accepts)", async (t) => {
  const text = `import { ArrayMap, HashMap, u32, u64 } from "ioubpf/lang";
const am = new ArrayMap<u32, u64>(8);
const hm = new HashMap<u64, u64>(16);
let g: u64 = 0;
export function onStart(): void {
  g = hm.get(am.get(1) ?? 0) ?? 0;
  g += am.get(u32(am.get(2) ?? 0) & 7) ?? 0;
}
`;
  const obj = build(text, "iouring-v2");
  build(text, "linux-7.1");
  const avail = kernelOracleAvailable();
  if (!avail.ok)
    return t.skip(`kernel oracle unavailable: ${(avail as { reason?: string }).reason}`);
  const k = await kernelRun(obj, { target: "iouring-v2", ctx: new Uint8Array(16) });
  assert.equal(k.verdict, "accept", k.reason);
});

// Found by the generator: five nested calls of a helper function threw "codegen: all
// temporaries pinned" out of compile() (each level kept its first argument in a register).
test("deeply nested helper-function calls compile (arguments may be spilled)", () => {
  const text = `import { emit, u64, i32 } from "ioubpf/lang";
let g: u64 = 1;
function mix(a: u64, b: u64): u64 { return a ^ (b << 7); }
export function onStart(): void {
  emit({ userData: g, res: i32(mix(g, mix(g, mix(g, mix(g, mix(g, mix(g, mix(g, 73))))))) & 0xffff) });
}
`;
  const obj = build(text, "iouring-v2");
  const sim = simulate(obj, defaultScenario(), { target: "iouring-v2" });
  const emitted = sim.events.filter((e) => e.type === "emit");
  let x = 73n;
  for (let i = 0; i < 7; i++) x = BigInt.asUintN(64, 1n ^ (x << 7n));
  assert.equal(emitted.length, 1);
  assert.equal((emitted[0] as { res: number }).res, Number(x & 0xffffn));
});
