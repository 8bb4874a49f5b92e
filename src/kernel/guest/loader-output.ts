// What iou-libbpf-loader prints (one JSON line; docs/guest.md), read by the guest tests and
// the real-kernel benchmark, and the clang-19 command line that builds the C reference
// programs (bench/c/linux-7.1) for it.

/** The loader's JSON line. */
export interface LoaderJson {
  loaded: boolean;
  attached: boolean;
  verifierLog: string;
  processed: number | null;
  ret: number;
  stop: string;
  elapsedNs: number;
  emits: { userData: string; res: number; flags: number }[];
  globals: Record<string, string>;
  error?: string;
}

/** The first line of `stdout` that parses as a JSON object, or undefined. */
export function parseLoaderJson(stdout: string): LoaderJson | undefined {
  for (const line of stdout.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    try {
      return JSON.parse(t) as LoaderJson;
    } catch {
      /* not the JSON line */
    }
  }
  return undefined;
}

/** clang-19 arguments for a linux-7.1 C program (`asm/types.h` lives in the multiarch dir). */
export function clangBpfArgs(source: string, output: string, mcpu = "v3"): string[] {
  return [
    "-O2",
    "-g",
    "-target",
    "bpf",
    `-mcpu=${mcpu}`,
    "-I/usr/include/x86_64-linux-gnu",
    "-c",
    source,
    "-o",
    output,
  ];
}
