// The guest's initramfs, as concatenated cpio (newc) segments, each cached by content hash:
// base (the static /init and busybox), node (node and the libraries it links), project (dist/,
// package.json, production node_modules at /ioubpf) and the batch itself (commands and files).
// The kernel unpacks concatenated compressed archives in order, so only the batch is rebuilt
// for each run.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { GuestCodes, GuestError } from "./errors.js";
import { cacheDir, cSourceDir, hashFiles, hashOf, needTool, repoRoot, run } from "./util.js";
import type { GuestCommand, GuestFile } from "./types.js";

/** Packs directory `dir` into a compressed newc archive `out` (files owned by root). */
export function packCpio(dir: string, out: string, compress: "gzip" | "zstd"): void {
  needTool("cpio", "cpio");
  needTool(compress, compress);
  const comp = compress === "zstd" ? "zstd -q -T0 -3" : "gzip -1";
  const r = spawnSync(
    "bash",
    [
      "-o",
      "pipefail",
      "-c",
      `find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | ${comp} > "$1"`,
      "pack",
      out + `.${process.pid}.part`,
    ],
    { cwd: dir, encoding: "utf8" },
  );
  if (r.status !== 0)
    throw new GuestError(
      GuestCodes.buildFailed,
      `packing the initramfs failed: ${r.stderr.trim()}`,
    );
  renameSync(out + `.${process.pid}.part`, out);
  // Older segments of the same kind (base-, node-, project-) are stale: drop them.
  const kind = /^([a-z]+)-[0-9a-f]{16}\./.exec(basename(out))?.[1];
  if (kind && dirname(out) === segmentDir())
    for (const f of readdirSync(dirname(out)))
      if (f.startsWith(`${kind}-`) && f !== basename(out) && !f.endsWith(".part"))
        rmSync(join(dirname(out), f), { force: true });
}

function segmentDir(): string {
  const d = join(cacheDir(), "initramfs");
  mkdirSync(d, { recursive: true });
  return d;
}

function withStaging<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-guest-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies a host file to the same path under `root`, following symlinks. */
function copyIn(root: string, hostPath: string, guestPath = hostPath): void {
  const dest = join(root, guestPath);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(hostPath, dest);
  chmodSync(dest, statSync(hostPath).mode & 0o7777);
}

/** The static /init, compiled from c/guest-init.c (cached by the source's hash). */
export function guestInitPath(): string {
  const src = join(cSourceDir(), "guest-init.c");
  const out = join(cacheDir(), "bin", `guest-init-${hashFiles(src)}`);
  if (!existsSync(out)) {
    needTool("gcc", "gcc libc6-dev");
    mkdirSync(dirname(out), { recursive: true });
    run(
      "gcc",
      ["-O2", "-static", "-Wall", "-o", out + `.${process.pid}.part`, src],
      GuestCodes.buildFailed,
    );
    renameSync(out + `.${process.pid}.part`, out);
  }
  return out;
}

export function baseSegment(): string {
  const init = guestInitPath();
  const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((p) => existsSync(p));
  if (!busybox)
    throw new GuestError(
      GuestCodes.toolMissing,
      "no /bin/busybox",
      "apt-get install busybox-static",
    );
  const out = join(segmentDir(), `base-${hashOf(hashFiles(init), hashFiles(busybox))}.cpio.gz`);
  if (existsSync(out)) return out;
  withStaging((dir) => {
    copyIn(dir, init, "/init");
    copyIn(dir, busybox, "/bin/busybox");
    const list = spawnSync(busybox, ["--list"], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean);
    for (const applet of list) {
      if (applet === "busybox" || applet.includes("/")) continue;
      const link = join(dir, "bin", applet);
      if (!existsSync(link)) symlinkSync("busybox", link);
    }
    for (const d of ["dev", "proc", "sys", "tmp", "run", "root", "etc", "usr/bin", "sbin"])
      mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    writeFileSync(join(dir, "etc/group"), "root:x:0:\n");
    writeFileSync(join(dir, "etc/hosts"), "127.0.0.1 localhost\n::1 localhost\n");
    packCpio(dir, out, "gzip");
  });
  return out;
}

/** node and every library `ldd` lists for it, at their host paths. */
export function nodeSegment(): string {
  const node = "/usr/bin/node";
  const nodeReal = existsSync(node) ? node : process.execPath;
  const st = statSync(nodeReal);
  const out = join(
    segmentDir(),
    `node-${hashOf(nodeReal, String(st.size), String(st.mtimeMs))}.cpio.zst`,
  );
  if (existsSync(out)) return out;
  const ldd = run("ldd", [nodeReal], GuestCodes.buildFailed).stdout;
  const libs = new Set<string>(["/lib64/ld-linux-x86-64.so.2"]);
  for (const m of ldd.matchAll(/=>\s*(\/\S+)/g)) libs.add(m[1]!);
  for (const m of ldd.matchAll(/^\s*(\/\S+)\s+\(/gm)) libs.add(m[1]!);
  withStaging((dir) => {
    copyIn(dir, nodeReal, "/usr/bin/node");
    for (const lib of libs) if (existsSync(lib)) copyIn(dir, lib);
    packCpio(dir, out, "zstd");
  });
  return out;
}

/** Production dependencies of package.json, transitively, as node_modules directory names. */
function productionDeps(root: string): string[] {
  const seen = new Set<string>();
  const queue = Object.keys(
    (
      JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
      }
    ).dependencies ?? {},
  );
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const pj = join(root, "node_modules", name, "package.json");
    if (!existsSync(pj)) continue;
    seen.add(name);
    const p = JSON.parse(readFileSync(pj, "utf8")) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    queue.push(...Object.keys({ ...p.dependencies, ...p.optionalDependencies }));
  }
  return [...seen].sort();
}

function newestMtime(path: string, skip = new Set(["node_modules", ".git", ".cache"])): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of readdirSync(path))
    if (!skip.has(e)) max = Math.max(max, newestMtime(join(path, e), skip));
  return max;
}

/** Runs `npm run build` when dist/ is missing or older than src/ or cli/. */
export function ensureBuilt(): void {
  const root = repoRoot();
  const dist = newestMtime(join(root, "dist"));
  const src = Math.max(newestMtime(join(root, "src")), newestMtime(join(root, "cli")));
  if (dist === 0 || src > dist) {
    needTool("npm", "npm");
    run("npm", ["run", "--silent", "build"], GuestCodes.buildFailed, { cwd: root });
  }
}

function treeSignature(path: string): string {
  const parts: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else parts.push(`${p}:${st.size}:${st.mtimeMs}`);
  };
  walk(path);
  return hashOf(parts.join("\n"));
}

/** dist/, package.json and the production node_modules at /ioubpf. */
export function projectSegment(): string {
  ensureBuilt();
  const root = repoRoot();
  const deps = productionDeps(root);
  const sig = hashOf(
    treeSignature(join(root, "dist")),
    readFileSync(join(root, "package.json")),
    ...deps.map((d) => treeSignature(join(root, "node_modules", d, "package.json"))),
  );
  const out = join(segmentDir(), `project-${sig}.cpio.zst`);
  if (existsSync(out)) return out;
  withStaging((dir) => {
    const base = join(dir, "ioubpf");
    mkdirSync(base, { recursive: true });
    cpSync(join(root, "dist"), join(base, "dist"), {
      recursive: true,
      dereference: true,
      filter: (s) => !s.endsWith(".map"),
    });
    copyFileSync(join(root, "package.json"), join(base, "package.json"));
    for (const d of deps)
      cpSync(join(root, "node_modules", d), join(base, "node_modules", d), {
        recursive: true,
        dereference: true,
      });
    packCpio(dir, out, "zstd");
  });
  return out;
}

/** The per-run segment: the batch description and the files to place. */
export function batchSegment(commands: GuestCommand[], files: GuestFile[], out: string): void {
  withStaging((dir) => {
    const b = join(dir, "ioubpf-batch");
    mkdirSync(b, { recursive: true });
    writeFileSync(join(b, "count"), `${commands.length}\n`);
    commands.forEach((c, i) => {
      const d = join(b, String(i));
      mkdirSync(d);
      writeFileSync(join(d, "argv"), c.argv.map((a) => a + "\0").join(""));
      writeFileSync(
        join(d, "env"),
        Object.entries(c.env ?? {})
          .map(([k, v]) => `${k}=${v}\0`)
          .join(""),
      );
      writeFileSync(join(d, "cwd"), c.cwd ?? "/");
      writeFileSync(join(d, "timeout_ms"), String(c.timeoutMs ?? 60_000));
    });
    const records: string[] = [];
    files.forEach((f, i) => {
      if (!f.guestPath.startsWith("/"))
        throw new GuestError(GuestCodes.buildFailed, `guest path ${f.guestPath} is not absolute`);
      const staged = join(dir, "ioubpf-files", String(i));
      mkdirSync(dirname(staged), { recursive: true });
      if (f.hostPath !== undefined) copyFileSync(f.hostPath, staged);
      else writeFileSync(staged, f.data ?? "");
      const mode =
        f.mode ?? (f.hostPath !== undefined ? statSync(f.hostPath).mode & 0o7777 : 0o644);
      records.push(`/ioubpf-files/${i}\0${f.guestPath}\0${mode.toString(8)}\0`);
    });
    writeFileSync(join(b, "files"), records.join(""));
    packCpio(dir, out, "gzip");
  });
}
