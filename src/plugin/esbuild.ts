// `import ioubpf from "ioubpf/esbuild"`: the esbuild plugin; `ioubpf(options)` with the compile options.
import { unplugin } from "./index.js";

export type { IoubpfPluginOptions, BpfModule } from "./index.js";
export default unplugin.esbuild;
