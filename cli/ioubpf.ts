#!/usr/bin/env node
import { runCli } from "./main.js";

// A reader that goes away (`ioubpf disasm x.o | head -1`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });

process.exitCode = await runCli(process.argv.slice(2));
