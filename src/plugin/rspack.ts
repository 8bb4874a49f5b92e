// `import ioubpf from "ioubpf/rspack"`: the rspack plugin; `ioubpf(options)` with the compile options.
import { unplugin } from "./index.js";

export type { IoubpfPluginOptions, BpfModule } from "./index.js";
export default unplugin.rspack;
