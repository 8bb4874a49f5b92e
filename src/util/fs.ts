// Output files, for every command that writes one (docs/limits.md, "Output files"):
// - a regular file (or a path that does not exist yet) is replaced atomically: the data goes
//   to a uniquely named temporary file beside the final target and is renamed over it, so a
//   failed or interrupted run leaves the previous file intact and parallel runs writing the
//   same output each leave a complete file;
// - a symlink is followed and its final target is replaced the same way (the link stays);
// - a device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is written through,
//   never replaced; a directory is refused;
// - several outputs (an object and its depfile) are written as one unit: every temporary
//   file is complete before the first rename, so a failure leaves all previous files intact;
// - error messages name the user's path, never a temporary name.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/** A failed output write; `path` is the path the user gave, `message` names it. */
export class OutputError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
    this.name = "OutputError";
  }
}

export interface OutputFile {
  path: string;
  data: Uint8Array | string;
}

/** Why a system call failed, in words, without the (possibly temporary) path Node adds. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOENT: "no such file or directory",
    ENOTDIR: "a path component is not a directory",
    EISDIR: "it is a directory",
    EROFS: "read-only file system",
    ENOSPC: "no space left on device",
    EDQUOT: "disk quota exceeded",
    ELOOP: "too many levels of symbolic links",
    ENAMETOOLONG: "file name too long",
    EEXIST: "file exists",
    EXDEV: "cross-device rename",
    ENXIO: "no such device or address (a socket, or a device that is not there)",
    EIO: "input/output error",
    EFBIG: "file too large",
  };
  if (err?.code && words[err.code]) return words[err.code]!;
  const m = err instanceof Error ? err.message : String(e);
  return m.replace(/, \w+ '[^']*'( -> '[^']*')?$/, "");
}

/** Where a write to `path` lands: the final target of its symlinks, and what that is. */
interface Resolved {
  target: string;
  kind: "absent" | "file" | "special" | "directory" | "fd";
  fd?: number;
}

/** This process's own descriptors by name: /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N. */
function ownDescriptor(p: string): number | undefined {
  if (p === "/dev/stdout") return 1;
  if (p === "/dev/stderr") return 2;
  const m = /^\/(?:dev\/fd|proc\/self\/fd|proc\/thread-self\/fd)\/(\d+)$/.exec(p);
  return m ? Number(m[1]) : undefined;
}

function resolveOutput(path: string): Resolved {
  let p = resolve(path);
  // Written to the descriptor itself: opening /proc/self/fd/1 fails for a socket (ENXIO)
  // and would truncate a file that the shell opened for appending.
  for (let hops = 0; hops < 40; hops++) {
    const own = ownDescriptor(p);
    if (own !== undefined) return { target: p, kind: "fd", fd: own };
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { target: p, kind: "absent" };
      throw new OutputError(path, errnoText(e));
    }
    if (st.isSymbolicLink()) {
      const link = readlinkSync(p);
      // /dev/stdout → /proc/self/fd/1 → "pipe:[…]": not a path; the kernel resolves it on open.
      if (!isAbsolute(link) && /^[a-z]+:\[\d+\]$/.test(link)) return { target: p, kind: "special" };
      p = isAbsolute(link) ? link : resolve(dirname(p), link);
      continue;
    }
    if (st.isDirectory()) return { target: p, kind: "directory" };
    if (st.isFile()) {
      // /proc and /dev entries (an fd redirected to a file) cannot be renamed over.
      if (p.startsWith("/proc/") || p.startsWith("/dev/")) return { target: p, kind: "special" };
      return { target: p, kind: "file" };
    }
    return { target: p, kind: "special" };
  }
  throw new OutputError(path, errnoText({ code: "ELOOP" }));
}

interface Prepared {
  out: OutputFile;
  resolved: Resolved;
  tmp?: string;
}

/** Writes every output as one unit (see the file comment); throws OutputError. */
export function writeOutputs(outputs: readonly OutputFile[]): void {
  const prepared: Prepared[] = [];
  const cleanup = (): void => {
    for (const p of prepared) if (p.tmp) rmSync(p.tmp, { force: true });
  };
  try {
    for (const out of outputs) {
      const resolved = resolveOutput(out.path);
      const item: Prepared = { out, resolved };
      prepared.push(item);
      if (resolved.kind === "directory") throw new OutputError(out.path, "it is a directory");
      if (resolved.kind === "special" || resolved.kind === "fd") continue;
      const dir = dirname(resolved.target);
      const tmp = join(dir, `.${basename(resolved.target)}.${randomBytes(6).toString("hex")}.tmp`);
      let fd: number;
      try {
        // O_EXCL: never write through somebody else's file (or a planted symlink).
        fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
      } catch (e) {
        throw new OutputError(out.path, errnoText(e));
      }
      item.tmp = tmp;
      try {
        writeAll(fd, out.data);
      } catch (e) {
        throw new OutputError(out.path, errnoText(e));
      } finally {
        closeSync(fd);
      }
      if (resolved.kind === "file") {
        try {
          chmodSync(tmp, statSync(resolved.target).mode & 0o7777);
        } catch {
          /* keep the default mode */
        }
      }
    }
    for (const item of prepared) {
      if (item.tmp) {
        try {
          renameSync(item.tmp, item.resolved.target);
          item.tmp = undefined;
        } catch (e) {
          throw new OutputError(item.out.path, errnoText(e));
        }
      } else if (item.resolved.kind === "fd") {
        try {
          writeAll(item.resolved.fd!, item.out.data);
        } catch (e) {
          throw new OutputError(item.out.path, errnoText(e));
        }
      } else writeThrough(item.out, item.resolved.target);
    }
  } finally {
    cleanup();
  }
}

/** One output; see writeOutputs. */
export function writeOutput(path: string, data: Uint8Array | string): void {
  writeOutputs([{ path, data }]);
}

/** Kept for callers written before writeOutput: the same semantics. */
export const writeFileAtomic = writeOutput;

function writeThrough(out: OutputFile, target: string): void {
  let fd: number;
  try {
    // No O_CREAT/O_TRUNC needed for a device; O_TRUNC matters when /dev/stdout is a file.
    const st = statSync(target);
    fd = openSync(target, constants.O_WRONLY | (st.isFile() ? constants.O_TRUNC : 0));
  } catch (e) {
    throw new OutputError(out.path, errnoText(e));
  }
  try {
    writeAll(fd, out.data);
  } catch (e) {
    throw new OutputError(out.path, errnoText(e));
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      // A non-blocking pipe that is full: wait a little and retry.
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/**
 * True when `output` names the same file as one of `inputs` (after symlinks), so a
 * command can refuse to overwrite its own input.
 */
export function sameFileAsAny(output: string, inputs: readonly string[]): string | undefined {
  let o;
  try {
    o = statSync(output);
  } catch {
    return undefined;
  }
  if (!o.isFile()) return undefined;
  for (const i of inputs) {
    try {
      const s = statSync(i);
      if (s.dev === o.dev && s.ino === o.ino) return i;
    } catch {
      /* unreadable inputs are reported by the reader */
    }
  }
  return undefined;
}
