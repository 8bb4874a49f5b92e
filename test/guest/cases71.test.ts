// The linux-7.1 verifier cases (test/verifier/cases/linux71.yaml) judged by the real 7.x
// kernel, in ONE boot of the guest (src/kernel/guest, docs/guest.md): each case becomes a
// complete loadable object (test/verifier/build71.ts), our verifier judges it, and the static
// libbpf loader loads it (`iou-libbpf-loader OBJ --load-only --log-level 4`, which fills the
// iou_* geometry from a real ring). The two verdicts must agree, except for the cases marked
// `by-design` (a difference we keep on purpose; its reason and the kernel's verdict are
// printed). Skips, saying why, where the guest is unavailable, except under CI.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { formatDiagnostics } from "../../src/diagnostics/index.js";
import { writeElf } from "../../src/elf/writer.js";
import {
  guestAvailability,
  libbpfLoaderPath,
  parseLoaderJson,
  runGuestBatch,
  type GuestCommand,
  type LoaderJson,
  type GuestFile,
  type GuestRun,
} from "../../src/kernel/guest/index.js";
import { verifyObject } from "../../src/verifier/index.js";
import type { MapSpec } from "../verifier/build.js";
import { buildObject71 } from "../verifier/build71.js";

const ROOT = join(import.meta.dirname, "..", "..");
const FILE = join(ROOT, "test/verifier/cases/linux71.yaml");

interface Case {
  name: string;
  target?: string;
  section?: string;
  license?: string;
  maps?: MapSpec[];
  asm: string;
  extra?: string;
  expect: "accept" | "reject";
  code?: string;
  "by-design"?: string;
  kernel?: "skip";
}

interface Built {
  c: Case;
  guestPath: string;
  ours: "accept" | "reject";
  oursWhy?: string;
}

const parseLoader = parseLoaderJson;

/** The kernel's reason: the level-1 log's last message, or libbpf's complaint. */
function kernelWhy(j: LoaderJson | undefined, stderr: string): string {
  if (!j) return `no loader JSON: ${stderr.slice(-300)}`;
  const stats = /^(processed \d+ insns|verification time|stack depth|insns processed)/;
  const log = j.verifierLog
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !stats.test(l))
    .at(-1);
  const libbpf = (j.error ?? "")
    .split("\n")
    .filter(
      (l) =>
        /^libbpf: /.test(l) &&
        !/^libbpf: (elf|sec|loading|license|looking|collected|prog 'prog': BPF program load failed|-- (BEGIN|END))/.test(
          l,
        ),
    )
    .at(-1);
  return (log ?? libbpf ?? (j.error ?? "").split("\n")[0] ?? "").slice(0, 300);
}

const cases = (parse(readFileSync(FILE, "utf8")) as Case[]).filter(
  (c) => c.target === "linux-7.1" && c.kernel !== "skip",
);
const built: Built[] = [];
let skipWhy: string | undefined;
let run: GuestRun | undefined;
const byId = new Map<string, { stdout: string; stderr: string; exitCode: number | null }>();

before(async () => {
  const files: GuestFile[] = [];
  const commands: GuestCommand[] = [];
  cases.forEach((c, i) => {
    const asm = c.asm
      .split("\n")
      .map((l) => (l.trim() === "" || /^[.\w]+:$/.test(l.trim()) ? l : `\t${l}`))
      .join("\n");
    const obj = buildObject71(asm, {
      ...(c.section ? { section: c.section } : {}),
      ...(c.maps ? { maps: c.maps } : {}),
      ...(c.license ? { license: c.license } : {}),
      ...(c.extra ? { extra: c.extra } : {}),
    });
    assert.ok(typeof obj !== "string", `${c.name}: ${String(obj)}`);
    const v = verifyObject(obj, { target: "linux-7.1" });
    const first = v.diagnostics.find((d) => d.severity === "error");
    const guestPath = `/root/cases/${i}.o`;
    built.push({
      c,
      guestPath,
      ours: v.ok ? "accept" : "reject",
      ...(v.ok ? {} : { oursWhy: formatDiagnostics(first ? [first] : v.diagnostics) }),
    });
    files.push({ guestPath, data: writeElf(obj) });
    commands.push({
      id: `case:${i}`,
      argv: ["iou-libbpf-loader", guestPath, "--load-only", "--log-level", "4"],
      timeoutMs: 60_000,
    });
    // The same load with the full log (level 4 has statistics only), for the kernel's reason.
    commands.push({
      id: `why:${i}`,
      argv: ["iou-libbpf-loader", guestPath, "--load-only", "--log-level", "1"],
      timeoutMs: 60_000,
    });
  });

  const avail = await guestAvailability();
  if (!avail.ok) {
    skipWhy = avail.why;
    if (process.env.CI) throw new Error(`the 7.x guest must run under CI: ${avail.why}`);
    console.log(`skipped: ${skipWhy}`);
    return;
  }
  files.unshift({
    guestPath: "/bin/iou-libbpf-loader",
    hostPath: await libbpfLoaderPath(),
    mode: 0o755,
  });
  run = await runGuestBatch({ files, commands });
  for (const r of run.results) byId.set(r.id, r);
  console.log(
    `guest kernel ${run.kernelVersion} (Debian ${run.packageVersion}), qemu ${run.bootMs} ms, ` +
      `${commands.length} loads`,
  );
});

test("our verifier gives every wrapped linux-7.1 case its expected verdict", () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  const wrong = built
    .filter((b) => b.ours !== b.c.expect)
    .map((b) => `${b.c.name}: expected ${b.c.expect}, ours ${b.ours} ${b.oursWhy ?? ""}`);
  assert.deepEqual(wrong, []);
});

test("the 7.x kernel gives every linux-7.1 case our verdict (by-design differences excepted)", (t) => {
  if (skipWhy !== undefined) {
    t.skip(skipWhy);
    return;
  }
  let agree = 0,
    byDesign = 0;
  const disagree: string[] = [];
  const rows: string[] = [];
  built.forEach((b, i) => {
    const r = byId.get(`case:${i}`);
    const j = r ? parseLoader(r.stdout) : undefined;
    const kernel = j?.loaded && j.attached ? "accept" : "reject";
    const w = byId.get(`why:${i}`);
    const why =
      kernel === "reject" ? kernelWhy(w ? parseLoader(w.stdout) : j, r?.stderr ?? "") : "";
    const row = `${b.c.name.padEnd(54)} ours ${b.c.expect}  kernel ${kernel}  processed ${j?.processed ?? "-"}`;
    if (b.c["by-design"]) {
      byDesign++;
      rows.push(`${row}  by design: ${b.c["by-design"]}${why ? `; kernel: ${why}` : ""}`);
    } else if (kernel === b.c.expect) {
      agree++;
      rows.push(`${row}${why ? `  kernel: ${why}` : ""}`);
    } else {
      rows.push(`${row}  DISAGREE`);
      disagree.push(
        `${b.c.name}: ours ${b.c.expect}${b.oursWhy ? ` (${b.oursWhy.trim()})` : ""}, kernel ${kernel}${why ? `: ${why}` : ""}`,
      );
    }
  });
  console.log(rows.join("\n"));
  console.log(
    `7.1 cases in the guest: ${agree} agree, ${byDesign} by design, ${disagree.length} disagree`,
  );
  assert.deepEqual(disagree, []);
});
