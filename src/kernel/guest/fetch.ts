// Fetches Debian sid's cloud kernel and libbpf-dev through a PRIVATE apt state under the cache
// directory (the system's sources are never touched), and caches the extracted files.
// The kernel version is resolved from the metapackage each refresh, since sid moves.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { GuestCodes, GuestError } from "./errors.js";
import { cacheDir, needTool, run } from "./util.js";

const MIRROR = process.env.IOUBPF_GUEST_MIRROR || "http://deb.debian.org/debian";
const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
const META = "linux-image-cloud-amd64";
/** A cached resolution is reused for this long before apt is asked again. */
const REFRESH_MS = 7 * 24 * 3600 * 1000;

export interface Fetched {
  /** Debian package version of the kernel, e.g. "7.2.13-1". */
  packageVersion: string;
  /** The kernel release, e.g. "7.2.13+deb14-cloud-amd64". */
  release: string;
  vmlinuz: string;
  /** The extracted libbpf-dev tree (usr/include/bpf, usr/lib/x86_64-linux-gnu/libbpf.a). */
  libbpfRoot: string;
  libbpfVersion: string;
  /** Milliseconds spent on the network and extraction (0 when everything was cached). */
  fetchMs: number;
}

function aptOptions(dir: string): string[] {
  return [
    "-o",
    `Dir::Etc::sourcelist=${join(dir, "sources.list")}`,
    "-o",
    "Dir::Etc::sourceparts=-",
    "-o",
    `Dir::Etc::preferencesparts=${join(dir, "preferences.d")}`,
    "-o",
    "Dir::Etc::preferences=/dev/null",
    "-o",
    `Dir::State::Lists=${join(dir, "lists")}`,
    "-o",
    `Dir::Cache=${join(dir, "cache")}`,
    "-o",
    "Dir::State::status=/dev/null",
    "-o",
    "APT::Default-Release=",
    "-o",
    "Debug::NoLocking=1",
    ...(process.getuid?.() === 0 ? ["-o", "APT::Sandbox::User=root"] : []),
  ];
}

function aptState(): { dir: string; opts: string[] } {
  const dir = join(cacheDir(), "apt");
  for (const d of ["lists/partial", "cache/archives/partial", "preferences.d"])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, "sources.list"), `deb [signed-by=${KEYRING}] ${MIRROR} sid main\n`);
  return { dir, opts: aptOptions(dir) };
}

function field(stanza: string, name: string): string | undefined {
  const m = new RegExp(`^${name}: (.*)$`, "m").exec(stanza);
  return m?.[1];
}

/** `apt-cache show PKG` in the private state: the first (newest) stanza. */
function show(opts: string[], pkg: string): string {
  const out = run("apt-cache", [...opts, "show", pkg], GuestCodes.fetchFailed).stdout;
  return out.split(/\n\n/)[0] ?? "";
}

function download(opts: string[], pkgs: string[], into: string): string[] {
  mkdirSync(into, { recursive: true });
  run("apt-get", [...opts, "-q", "download", ...pkgs], GuestCodes.fetchFailed, { cwd: into });
  return readdirSync(into)
    .filter((f) => f.endsWith(".deb"))
    .map((f) => join(into, f));
}

function findFile(root: string, test: (name: string) => boolean): string | undefined {
  const stack = [root];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (test(e.name)) return p;
    }
  }
  return undefined;
}

function refresh(): Omit<Fetched, "fetchMs"> {
  needTool("apt-get", "apt");
  needTool("dpkg-deb", "dpkg");
  if (!existsSync(KEYRING))
    throw new GuestError(
      GuestCodes.toolMissing,
      `no ${KEYRING}`,
      "apt-get install debian-archive-keyring",
    );
  const { opts } = aptState();
  try {
    run("apt-get", [...opts, "-q", "--error-on=any", "update"], GuestCodes.fetchFailed, {
      timeoutMs: 300_000,
    });
  } catch (e) {
    const why = e instanceof GuestError ? e.why : String(e);
    throw new GuestError(
      GuestCodes.fetchFailed,
      `the Debian mirror ${MIRROR} (sid) is unreachable: ${why}`,
    );
  }
  const meta = show(opts, META);
  const dep = /linux-image-(\S+-cloud-amd64) \(= ([^)]+)\)/.exec(field(meta, "Depends") ?? "");
  if (!dep)
    throw new GuestError(
      GuestCodes.fetchFailed,
      `${META} in sid does not depend on a linux-image-…-cloud-amd64 package`,
    );
  const [, release, packageVersion] = dep as unknown as [string, string, string];
  const root = cacheDir();
  const kdir = join(root, "kernel", packageVersion);
  if (!existsSync(join(kdir, "meta.json"))) {
    rmSync(kdir, { recursive: true, force: true });
    // Since 7.x the kernel image lives in linux-binary-*; older layouts kept it in linux-image-*.
    const binary = `linux-binary-${release}`;
    const hasBinary = (() => {
      try {
        return show(opts, binary).length > 0;
      } catch {
        return false;
      }
    })();
    const debs = download(opts, [hasBinary ? binary : `linux-image-${release}`], join(kdir, "deb"));
    for (const deb of debs)
      run("dpkg-deb", ["-x", deb, join(kdir, "root")], GuestCodes.fetchFailed);
    const vmlinuz = findFile(
      join(kdir, "root"),
      (n) => n === "vmlinuz" || n.startsWith("vmlinuz-"),
    );
    if (!vmlinuz) throw new GuestError(GuestCodes.fetchFailed, `no vmlinuz in ${debs.join(", ")}`);
    rmSync(join(kdir, "deb"), { recursive: true, force: true });
    writeFileSync(
      join(kdir, "meta.json"),
      JSON.stringify({ packageVersion, release, vmlinuz }, null, 2),
    );
  }
  const kmeta = JSON.parse(readFileSync(join(kdir, "meta.json"), "utf8")) as { vmlinuz: string };

  const libbpfVersion = field(show(opts, "libbpf-dev"), "Version") ?? "unknown";
  const ldir = join(root, "libbpf", libbpfVersion.replace(/[^A-Za-z0-9.+~-]/g, "_"));
  if (!existsSync(join(ldir, "ok"))) {
    rmSync(ldir, { recursive: true, force: true });
    const debs = download(opts, ["libbpf-dev"], join(ldir, "deb"));
    for (const deb of debs)
      run("dpkg-deb", ["-x", deb, join(ldir, "root")], GuestCodes.fetchFailed);
    if (!findFile(join(ldir, "root"), (n) => n === "libbpf.a"))
      throw new GuestError(
        GuestCodes.fetchFailed,
        `no libbpf.a in sid's libbpf-dev ${libbpfVersion}`,
      );
    rmSync(join(ldir, "deb"), { recursive: true, force: true });
    writeFileSync(join(ldir, "ok"), libbpfVersion + "\n");
  }
  return {
    packageVersion,
    release,
    vmlinuz: kmeta.vmlinuz,
    libbpfRoot: join(ldir, "root"),
    libbpfVersion,
  };
}

let memo: Fetched | undefined;

/** The kernel and libbpf, from the cache when it is fresh enough, else from the mirror. */
export function fetchGuestParts(): Fetched {
  if (memo) return memo;
  const current = join(cacheDir(), "current.json");
  let cached: Omit<Fetched, "fetchMs"> | undefined;
  if (existsSync(current)) {
    try {
      const c = JSON.parse(readFileSync(current, "utf8")) as Omit<Fetched, "fetchMs">;
      if (existsSync(c.vmlinuz) && existsSync(c.libbpfRoot)) cached = c;
    } catch {
      cached = undefined;
    }
  }
  const fresh =
    cached !== undefined &&
    process.env.IOUBPF_GUEST_REFRESH !== "1" &&
    Date.now() - statSync(current).mtimeMs < REFRESH_MS;
  if (fresh && cached) return (memo = { ...cached, fetchMs: 0 });
  const t0 = Date.now();
  // Test files run in parallel: one refresh of the shared apt state at a time.
  const unlock = lockCache();
  try {
    const got = refresh();
    writeFileSync(current, JSON.stringify(got, null, 2));
    return (memo = { ...got, fetchMs: Date.now() - t0 });
  } catch (e) {
    // An old cache still boots: prefer it to failing when the mirror is down.
    if (cached) return (memo = { ...cached, fetchMs: 0 });
    throw e;
  } finally {
    unlock();
  }
}

/** A lock directory in the cache (atomic mkdir); a lock older than 10 minutes is stale. */
function lockCache(): () => void {
  const lock = join(cacheDir(), "fetch.lock");
  mkdirSync(cacheDir(), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) return () => undefined;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
}

/**
 * sid's bpftool, which knows `.struct_ops.link` (bookworm's 7.1 does not), with the sid
 * libraries it needs (glibc ≥ 2.38 among them), run through sid's own dynamic loader so
 * nothing is installed on the system. Returns the argv prefix that runs it.
 */
export function sidBpftool(): string[] {
  const { opts } = aptState();
  const root = join(cacheDir(), "bpftool");
  const lib = join(root, "root", "usr", "lib", "x86_64-linux-gnu");
  const argv = [
    join(lib, "ld-linux-x86-64.so.2"),
    "--library-path",
    lib,
    join(root, "root", "usr", "sbin", "bpftool"),
  ];
  if (existsSync(join(root, "ok"))) return argv;
  const unlock = lockCache();
  try {
    if (existsSync(join(root, "ok"))) return argv;
    fetchBpftool(opts, root);
  } finally {
    unlock();
  }
  return argv;
}

function fetchBpftool(opts: string[], root: string): void {
  rmSync(root, { recursive: true, force: true });
  const pkgs = ["bpftool", "libc6", "libelf1t64", "libcap2", "zlib1g", "libssl3t64", "libzstd1"];
  for (const deb of download(opts, pkgs, join(root, "deb")))
    run("dpkg-deb", ["-x", deb, join(root, "root")], GuestCodes.fetchFailed);
  rmSync(join(root, "deb"), { recursive: true, force: true });
  writeFileSync(join(root, "ok"), "");
}
