// `node --import ioubpf/register app.mjs`: importing a `.bpf.ts` file gives the same module
// as the bundler plugins (docs/plugins.md), through a module.register hook (Node 20.6+).
// Compile options come from IOUBPF_OPTIONS (JSON), e.g. '{"target":"iouring-v2"}'.
import { register } from "node:module";

register("./register-hooks.js", import.meta.url, {
  data: { options: process.env.IOUBPF_OPTIONS ?? "{}", cwd: process.cwd() },
});
