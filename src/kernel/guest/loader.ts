// Builds the statically linked libbpf C loader (c/iou-libbpf-loader.c, interface 2) against
// sid's libbpf.a (1.7; bookworm's 1.1 predates .struct_ops.link) and bookworm's libelf, zlib
// and zstd archives. Cached by the hash of the sources and of libbpf.a.
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { GuestCodes, GuestError } from "./errors.js";
import { fetchGuestParts } from "./fetch.js";
import { cacheDir, cSourceDir, hashFiles, hashOf, needTool, run } from "./util.js";

const ARCHIVES = ["libelf.a", "libz.a", "libzstd.a"];

export async function libbpfLoaderPath(): Promise<string> {
  const parts = fetchGuestParts();
  const libbpfA = join(parts.libbpfRoot, "usr", "lib", "x86_64-linux-gnu", "libbpf.a");
  const include = join(parts.libbpfRoot, "usr", "include");
  const src = join(cSourceDir(), "iou-libbpf-loader.c");
  const shim = join(cSourceDir(), "isoc23-shim.c");
  const out = join(cacheDir(), "bin", `iou-libbpf-loader-${hashOf(hashFiles(src, shim, libbpfA))}`);
  if (existsSync(out)) return out;
  needTool("gcc", "gcc libc6-dev");
  for (const a of ARCHIVES)
    if (!existsSync(join("/usr/lib/x86_64-linux-gnu", a)))
      throw new GuestError(
        GuestCodes.toolMissing,
        `no /usr/lib/x86_64-linux-gnu/${a} to link the loader statically`,
        "apt-get install libelf-dev zlib1g-dev libzstd-dev",
      );
  mkdirSync(dirname(out), { recursive: true });
  run(
    "gcc",
    [
      "-O2",
      "-static",
      "-Wall",
      "-I",
      include,
      "-o",
      out + `.${process.pid}.part`,
      src,
      shim,
      libbpfA,
      "-lelf",
      "-lz",
      "-lzstd",
    ],
    GuestCodes.buildFailed,
  );
  renameSync(out + `.${process.pid}.part`, out);
  return out;
}
