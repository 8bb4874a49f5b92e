// The module hook behind `ioubpf/register`: it runs on Node's loader thread and turns a
// `.bpf.ts` URL into the module of compileModule (docs/plugins.md).
import { fileURLToPath } from "node:url";
import { compileModule, DEFAULT_INCLUDE, type IoubpfPluginOptions } from "./plugin/core.js";

let options: IoubpfPluginOptions = {};

export function initialize(data: { options?: string; cwd?: string } | undefined): void {
  try {
    options = JSON.parse(data?.options ?? "{}") as IoubpfPluginOptions;
  } catch {
    throw new Error("ioubpf/register: IOUBPF_OPTIONS is not valid JSON");
  }
  if (data?.cwd && options.root === undefined) options.root = data.cwd;
}

interface LoadContext {
  format?: string | null;
}
interface LoadResult {
  format: string;
  source?: string | Uint8Array;
  shortCircuit?: boolean;
}

export async function load(
  url: string,
  context: LoadContext,
  nextLoad: (url: string, context: LoadContext) => Promise<LoadResult>,
): Promise<LoadResult> {
  if (!url.startsWith("file:") || !DEFAULT_INCLUDE.test(new URL(url).pathname))
    return nextLoad(url, context);
  const file = fileURLToPath(url);
  const r = compileModule(file, options);
  for (const w of r.warnings) process.stderr.write(w.text + "\n");
  if (!r.ok) {
    // The diagnostics' text (location and code frame) is the whole message: no stack.
    const e = new Error(
      `ioubpf: ${file} does not compile\n${r.errors.map((m) => m.text).join("\n")}`,
    );
    e.stack = e.message;
    throw e;
  }
  return { format: "module", source: r.code, shortCircuit: true };
}
