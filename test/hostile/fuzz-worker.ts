// A fuzzing worker (test/hostile/fuzz.ts): a long-lived child process that runs one CLI
// case at a time in-process and reports the exit code, whether a stack trace or an
// "internal error" was printed, its time and this process's peak RSS. The parent kills it
// when a case overruns its time; the worker's heap limit (--max-old-space-size) turns a
// memory blow-up into a death the parent sees.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";

export interface FuzzCase {
  id: number;
  command: string;
  /** Files to create in the case directory: name → bytes (base64) or text. */
  files: Record<string, { b64?: string; text?: string }>;
  /** Arguments; `@/` is replaced by the case directory. */
  args: string[];
}

export interface FuzzReply {
  id: number;
  exit: number;
  crash?: string;
  ms: number;
  rss: number;
}

// Output is kept to the first 64 KiB: enough to see a stack, bounded for huge listings.
const KEEP = 64 * 1024;
/** A printed JS stack frame ("    at f (file.ts:1:2)") or the CLI's bug banner. */
const STACK = /\n\s+at .+:\d+:\d+\)?\n|internal error|This is a bug in ioubpf|Maximum call stack/;

// A Node process warning ("(node:PID) Warning: …") reaches the user's terminal outside our
// diagnostics: it counts as a crash.
let warning: string | undefined;
process.on("warning", (w) => void (warning ??= `${w.name}: ${w.message}`));

// Case files live in memory (tmpfs) where there is one: on this machine's disk each small
// write costs ~0.2 ms and far more while other work writes, a large share of a case.
const scratch = process.env.FUZZ_TMP ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
const base = mkdtempSync(join(scratch, "ioubpf-fuzz-"));
let peak = 0;

/** Self-test cases (fuzz.test.ts): the harness must see a hang, a memory blow-up and a crash. */
function selfTest(c: FuzzCase): FuzzReply | undefined {
  if (c.command === "__hang") for (;;);
  if (c.command === "__memory") {
    const keep: number[][] = [];
    for (;;) keep.push(new Array(1 << 20).fill(c.id));
  }
  if (c.command === "__crash")
    return { id: c.id, exit: 3, ms: 0, rss: 0, crash: "self-test crash" };
  return undefined;
}

async function runCase(c: FuzzCase): Promise<FuzzReply> {
  const self = selfTest(c);
  if (self) return self;
  // One directory for every case, emptied after each (a recursive rmSync per case cost
  // about a tenth of the run).
  const dir = join(base, "case");
  mkdirSync(dir, { recursive: true });
  for (const [name, f] of Object.entries(c.files))
    writeFileSync(join(dir, name), f.b64 !== undefined ? Buffer.from(f.b64, "base64") : f.text!);
  let out = "";
  let err = "";
  const io: CliIO = {
    stdout: (t) => void (out.length < KEEP && (out += t.slice(0, KEEP))),
    stderr: (t) => void (err.length < KEEP && (err += t.slice(0, KEEP))),
    stdoutBytes: () => {},
    stdoutIsTTY: false,
    color: false,
  };
  const t0 = performance.now();
  let exit: number;
  let crash: string | undefined;
  try {
    exit = await runCli(
      c.args.map((a) => a.replace(/^@\//, dir + "/")),
      io,
    );
  } catch (e) {
    exit = 3;
    crash = `threw: ${(e as Error)?.stack ?? String(e)}`;
  }
  const ms = performance.now() - t0;
  // Warnings are emitted on the next tick.
  await new Promise((r) => setImmediate(r));
  if (!crash && warning) crash = `Node process warning printed: ${warning}`;
  warning = undefined;
  if (!crash && (exit === 3 || STACK.test(out) || STACK.test(err)))
    crash = `exit ${exit}\n${err.slice(0, 4000)}\n${out.slice(0, 1000)}`;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) rmSync(join(dir, e.name), { recursive: true, force: true });
    else unlinkSync(join(dir, e.name));
  const rss = process.memoryUsage().rss;
  peak = Math.max(peak, rss);
  return { id: c.id, exit, ms, rss: peak, ...(crash ? { crash } : {}) };
}

process.on("message", (c: FuzzCase) => {
  void runCase(c).then((r) => process.send!(r));
});
process.on("disconnect", () => {
  rmSync(base, { recursive: true, force: true });
  process.exit(0);
});
// Loading the CLI takes seconds on a busy machine: the parent starts timing cases only now.
process.send!({ ready: true });
