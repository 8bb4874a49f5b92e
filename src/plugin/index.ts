// The bundler plugins, one unplugin for Vite, Rollup, esbuild, webpack and Rspack
// (docs/plugins.md): `import prog from "./x.bpf.ts"` gives `{ object, programs, globals }`.
import { createUnplugin, type UnpluginBuildContext, type UnpluginContext } from "unplugin";
import {
  type BundlerMessage,
  compileModule,
  DEFAULT_INCLUDE,
  type IoubpfPluginOptions,
} from "./core.js";

export type { IoubpfPluginOptions, BpfModule, BundlerMessage } from "./core.js";

type Ctx = UnpluginBuildContext & UnpluginContext;

export const unplugin = createUnplugin((options: IoubpfPluginOptions | undefined) => {
  const opts = options ?? {};
  const include = opts.include ?? DEFAULT_INCLUDE;
  const matches = (id: string): boolean => include.test(id.replace(/\?.*$/, ""));
  return {
    name: "ioubpf",
    // Before the bundler's own TypeScript handling, which would strip our .bpf.ts as plain TS.
    enforce: "pre",
    loadInclude: matches,
    load(this: Ctx, id: string) {
      if (!matches(id)) return null;
      const file = id.replace(/\?.*$/, "");
      const r = compileModule(file, opts);
      // Watch the source so an edit rebuilds (watch mode, Vite dev server, webpack --watch).
      for (const w of r.watch) this.addWatchFile(w);
      for (const w of r.warnings) this.warn(asRollup(w, file));
      if (r.ok) return { code: r.code, map: null };
      const framework = this.getNativeBuildContext?.().framework;
      if (framework === "webpack" || framework === "rspack") {
        // A loader error fails this module (and the build) with the diagnostics' text.
        const e = new Error(r.errors.map((m) => m.text).join("\n"));
        e.stack = e.message; // no stack trace: it is the program's error, not ours
        throw e;
      }
      // Rollup and Vite throw here; esbuild collects the errors and fails the build.
      for (const m of r.errors) this.error(asRollup(m, file));
      return { code: "export default undefined;\n", map: null };
    },
    esbuild: { onLoadFilter: include, loader: "js" },
  };
});

/** Rollup's error/warning shape (unplugin maps it to esbuild's and webpack's). */
function asRollup(
  m: BundlerMessage,
  file: string,
): {
  message: string;
  id: string;
  code: string;
  plugin: string;
  loc?: { file: string; line: number; column: number };
  frame?: string;
} {
  return {
    message: m.text,
    id: file,
    code: m.code,
    plugin: "ioubpf",
    ...(m.loc ? { loc: m.loc } : {}),
    ...(m.frame ? { frame: m.frame } : {}),
  };
}

export default unplugin;
