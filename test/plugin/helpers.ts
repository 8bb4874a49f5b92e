// Shared by the plugin, depfile and start-up tests: a private esbuild bundle of the CLI and
// hooks (so parallel test files never race on dist/), and the CLI's own bytes for a file.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../cli/main.js";

export const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Builds dist-like bundles into .out/ (gitignored) and returns the directory. */
export function buildTestBundle(name: string, snapshot = false): string {
  mkdirSync(join(repo, ".out"), { recursive: true });
  const dir = mkdtempSync(join(repo, ".out", `${name}-`));
  const r = spawnSync(
    process.execPath,
    [join(repo, "scripts/bundle.mjs"), "--outdir", dir, ...(snapshot ? [] : ["--no-snapshot"])],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`bundle failed: ${r.stderr}`);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** What `ioubpf compile <file> <args>` writes, run in-process (file as given: its path is in line info). */
export async function cliObject(file: string, args: string[], tmp: string): Promise<Buffer> {
  const out = join(tmp, `cli-${Math.random().toString(36).slice(2)}.o`);
  let err = "";
  const code = await runCli(["compile", file, "-o", out, ...args], {
    stdout: () => {},
    stderr: (t) => (err += t),
    color: false,
  });
  if (code !== 0) throw new Error(`ioubpf compile failed (${code}): ${err}`);
  return readFileSync(out);
}

/**
 * A program with a branch only the verifier knows is dead (`cqe.res & 3` is never above 7; code
 * generation does not track ranges): compiling it gives the verifier's E6008 warning on every
 * target. The examples give none, since `declare const` values are unknown when verifying.
 */
export const DEAD_BRANCH = `import { Cqe, emit, stop, u32 } from "ioubpf/lang";

export function onCompletion(cqe: Cqe): void {
  const low: u32 = u32(cqe.res) & 3;
  if (low > 7) {
    emit({ userData: 1, res: 0 });
  }
  stop();
}
`;
