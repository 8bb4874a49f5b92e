// Small process and file helpers shared by the guest harness modules.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GuestCodes, GuestError } from "./errors.js";

/** The repository root (this file is src/kernel/guest/util.ts, or dist/src/kernel/guest/util.js). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src", "kernel", "guest")))
      return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

/** The C sources next to this module (src/kernel/guest/c), also from dist/. */
export function cSourceDir(): string {
  return join(repoRoot(), "src", "kernel", "guest", "c");
}

export function cacheDir(): string {
  const dir = process.env.IOUBPF_GUEST_CACHE || join(repoRoot(), ".cache", "guest");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const p = join(dir || ".", tool);
    if (existsSync(p)) return p;
  }
  for (const dir of ["/usr/sbin", "/sbin"]) if (existsSync(join(dir, tool))) return join(dir, tool);
  return undefined;
}

export function needTool(tool: string, pkg: string): string {
  const p = which(tool);
  if (!p)
    throw new GuestError(
      GuestCodes.toolMissing,
      `no ${tool} on PATH`,
      `install it: apt-get install ${pkg}`,
    );
  return p;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command synchronously; throws a GuestError with `code` when it fails. */
export function run(
  cmd: string,
  args: string[],
  code: (typeof GuestCodes)[keyof typeof GuestCodes],
  opts: { cwd?: string; input?: string | Buffer; timeoutMs?: number } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    encoding: "utf8",
    maxBuffer: 256 << 20,
    timeout: opts.timeoutMs ?? 600_000,
  });
  if (r.error || r.status !== 0) {
    const why = r.error
      ? `${cmd} failed: ${r.error.message}`
      : `${cmd} ${args.slice(0, 4).join(" ")}${args.length > 4 ? " …" : ""} exited with ${r.status}: ${lastLines(r.stderr || r.stdout)}`;
    throw new GuestError(code, why);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command with a time limit, collecting its output (used for qemu). */
export function runAsync(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ status: number | null; signal: string | null; out: string; timedOut: boolean }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => chunks.push(b));
    child.stderr.on("data", (b: Buffer) => chunks.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      res({ status, signal, out: Buffer.concat(chunks).toString("utf8"), timedOut });
    });
  });
}

export function lastLines(s: string, n = 4): string {
  return s.trim().split("\n").slice(-n).join(" | ");
}

export function hashOf(...parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex").slice(0, 16);
}

export function hashFiles(...paths: string[]): string {
  return hashOf(...paths.map((p) => readFileSync(p)));
}
