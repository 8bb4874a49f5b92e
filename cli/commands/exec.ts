// `ioubpf exec prog.o`: run a linux-7.1 object with real I/O (docs/runtime.md). Native on a
// kernel with io_uring_bpf_ops, emulated in the VM against a real ring elsewhere.
import type { Diagnostic } from "../../src/diagnostics/index.js";
import { RuntimeCodes } from "../../src/runtime/codes.js";
import { run, type FdSpec, type RunResult } from "../../src/runtime/index.js";
import { Exit, isDiagnostic, readBinaryInput, report } from "../io.js";
import type { RegisterCommand } from "./index.js";

interface ExecOptions {
  set: string[];
  fd: string[];
  buf: string[];
  str: string[];
  timespec: string[];
  listen: string[];
  sq?: string;
  cq?: string;
  timeout?: string;
  emulate?: boolean;
  native?: boolean;
  json?: boolean;
  trace?: boolean;
  program?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function bad(message: string): Diagnostic {
  return { code: RuntimeCodes.badValue, severity: "error", message };
}

/** NAME=VALUE → [NAME, VALUE] or a diagnostic. */
function pair(opt: string, s: string): [string, string] | Diagnostic {
  const i = s.indexOf("=");
  if (i <= 0) return bad(`${opt} ${s}: expected NAME=VALUE`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function integer(opt: string, name: string, v: string): bigint | Diagnostic {
  if (!/^-?(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$/i.test(v.trim()))
    return bad(`${opt} ${name}=${v}: not an integer`);
  const neg = v.trim().startsWith("-");
  const x = BigInt(v.trim().replace(/^-/, ""));
  return neg ? -x : x;
}

function hex(x: bigint): string {
  return "0x" + BigInt.asUintN(64, x).toString(16);
}

export function resultToJson(r: RunResult): Record<string, unknown> {
  return {
    mode: r.mode ?? null,
    modeReason: r.modeReason ?? null,
    stop: r.stop ?? null,
    steps: r.steps ?? null,
    processed: r.processed ?? null,
    elapsedMs: r.elapsedMs ?? null,
    ringFlags: r.ringFlags ?? null,
    ringNotes: r.ringNotes ?? [],
    emits: r.emits.map((e) => ({ userData: hex(e.userData), res: e.res, flags: e.flags })),
    globals: Object.fromEntries(Object.entries(r.globals).map(([k, v]) => [k, v.toString()])),
    ...(r.trace ? { trace: r.trace } : {}),
  };
}

export const registerExec: RegisterCommand = (program, ctx) => {
  program
    .command("exec")
    .description(
      "run a linux-7.1 object with real I/O: native on Linux 7.1+, else emulated in the VM on a real io_uring",
    )
    .argument("<file>", "BPF ELF object compiled for --target linux-7.1")
    .option("--set <NAME=VALUE>", "set a 'declare const' (repeatable)", collect, [])
    .option(
      "--fd <NAME=PATH[:r|w|rw]>",
      "open PATH (w: create/truncate) and set NAME to its fd (repeatable)",
      collect,
      [],
    )
    .option(
      "--buf <NAME=BYTES>",
      "map a zeroed buffer and set NAME to its address (repeatable)",
      collect,
      [],
    )
    .option(
      "--str <NAME=TEXT>",
      "a buffer holding TEXT and a NUL; NAME gets its address (repeatable)",
      collect,
      [],
    )
    .option(
      "--timespec <NAME=NS>",
      "a struct __kernel_timespec of NS nanoseconds; NAME gets its address",
      collect,
      [],
    )
    .option(
      "--listen <NAME=PORT>",
      "a listening TCP socket on 127.0.0.1:PORT; NAME gets its fd",
      collect,
      [],
    )
    .option("--sq <N>", "SQ entries (default 16)")
    .option("--cq <N>", "CQ entries (default 64)")
    .option("--timeout <S>", "seconds before the run is stopped (default 10)")
    .option("--emulate", "run in the VM against a real ring even when the kernel could run it")
    .option("--native", "fail unless the kernel runs the program itself")
    .option("-p, --program <name>", "program to run when the object has several")
    .option("--trace", "print every loop_step (emulation)")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: ExecOptions) => {
      const { io } = ctx;
      const diags: Diagnostic[] = [];
      const set: Record<string, bigint> = {};
      const fds: Record<string, FdSpec> = {};
      const bufs: Record<string, number> = {};
      const data: Record<string, Uint8Array | string> = {};
      const listen: Record<string, number> = {};
      for (const s of opts.set) {
        const p = pair("--set", s);
        if (isDiagnostic(p)) diags.push(p);
        else {
          const v = integer("--set", p[0], p[1]);
          if (isDiagnostic(v)) diags.push(v);
          else set[p[0]] = v;
        }
      }
      for (const s of opts.fd) {
        const p = pair("--fd", s);
        if (isDiagnostic(p)) {
          diags.push(p);
          continue;
        }
        const m = /^(.*?)(?::(r|w|rw))?$/.exec(p[1])!;
        if (!m[1]) diags.push(bad(`--fd ${s}: no path`));
        else fds[p[0]] = { path: m[1], access: (m[2] as FdSpec["access"]) ?? "r" };
      }
      for (const [opt, list, into] of [
        ["--buf", opts.buf, "buf"],
        ["--timespec", opts.timespec, "ts"],
        ["--listen", opts.listen, "listen"],
      ] as const) {
        for (const s of list) {
          const p = pair(opt, s);
          if (isDiagnostic(p)) {
            diags.push(p);
            continue;
          }
          const v = integer(opt, p[0], p[1]);
          if (isDiagnostic(v)) {
            diags.push(v);
            continue;
          }
          if (into === "buf") bufs[p[0]] = Number(v);
          else if (into === "listen") listen[p[0]] = Number(v);
          else {
            const ts = new Uint8Array(16);
            const dv = new DataView(ts.buffer);
            dv.setBigInt64(0, v / 1_000_000_000n, true);
            dv.setBigInt64(8, v % 1_000_000_000n, true);
            data[p[0]] = ts;
          }
        }
      }
      for (const s of opts.str) {
        const p = pair("--str", s);
        if (isDiagnostic(p)) diags.push(p);
        else data[p[0]] = p[1];
      }
      const num = (opt: string, v: string | undefined): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) {
          diags.push(bad(`${opt} ${v}: expected a positive number`));
          return undefined;
        }
        return n;
      };
      const sq = num("--sq", opts.sq);
      const cq = num("--cq", opts.cq);
      const timeout = num("--timeout", opts.timeout);
      if (opts.emulate && opts.native) diags.push(bad("--emulate and --native exclude each other"));
      if (diags.length) return ctx.setExit(report(io, diags, { json: opts.json }));
      const bytes = readBinaryInput(file);
      if (isDiagnostic(bytes)) return ctx.setExit(report(io, [bytes], { json: opts.json }));
      const r = await run({
        object: bytes,
        file,
        ...(opts.program ? { program: opts.program } : {}),
        set,
        fds,
        bufs,
        data,
        listen,
        ...(sq !== undefined ? { sq } : {}),
        ...(cq !== undefined ? { cq } : {}),
        ...(timeout !== undefined ? { timeoutMs: Math.round(timeout * 1000) } : {}),
        mode: opts.emulate ? "emulate" : opts.native ? "native" : "auto",
        trace: opts.trace ?? false,
      });
      if (opts.json) {
        const code = report(io, r.diagnostics, { json: true, extra: resultToJson(r) });
        return ctx.setExit(r.ok ? code : Exit.badInput);
      }
      const out: string[] = [];
      if (r.mode)
        out.push(
          `mode: ${r.mode === "native" ? "native (the kernel runs loop_step)" : "emulated (VM steps, real io_uring)"}${r.modeReason ? ` — ${r.modeReason}` : ""}`,
        );
      for (const n of r.ringNotes ?? []) out.push(`note: ${n}`);
      if (r.stop)
        out.push(
          `stop: ${r.stop}${r.steps !== undefined ? ` after ${r.steps} step${r.steps === 1 ? "" : "s"}` : ""}${r.elapsedMs !== undefined ? ` in ${r.elapsedMs} ms` : ""}${r.processed !== undefined ? ` (verifier: processed ${r.processed} insns)` : ""}`,
        );
      for (const t of r.trace ?? [])
        out.push(
          `step ${t.step}: ret=${t.ret} cq_wait_idx=${t.cqWaitIdx} cq_tail=${t.cqTail} insns=${t.insns}`,
        );
      for (const e of r.emits)
        out.push(`emit user_data=${hex(e.userData)} res=${e.res} flags=${e.flags}`);
      const g = Object.entries(r.globals);
      if (g.length) {
        out.push("globals:");
        for (const [k, v] of g) out.push(`  ${k} = ${v}`);
      }
      if (out.length) io.stdout(out.join("\n") + "\n");
      const code = report(io, r.diagnostics);
      ctx.setExit(r.ok ? code : Exit.badInput);
    });
};
