// `npm run bench`: runs every benchmark script in bench/ in turn, each in its own process so one
// benchmark's memory or JIT state does not colour the next. Pass names to run a subset:
// `npm run bench -- vm frontend`.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, "")))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, script)], {
    stdio: "inherit",
  });
  if (r.status !== 0) {
    failed++;
    console.log(`bench/${script} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
