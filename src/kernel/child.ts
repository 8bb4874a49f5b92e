// The strict-mode loader: runs as a child process without CAP_SYS_ADMIN and CAP_PERFMON (see
// oracle.ts). Reads LoadPlans as JSON, one per line on stdin, and answers each with one
// ExecResult as JSON on one line of stdout; exits at the end of its input.
import { executePlan, type ExecResult } from "./exec.js";
import type { LoadPlan } from "./plan.js";

let buffer = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  buffer += chunk;
  let nl: number;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (line.trim() === "") continue;
    let result: ExecResult;
    try {
      result = executePlan(JSON.parse(line) as LoadPlan);
    } catch (e) {
      result = {
        mode: "strict",
        loaded: false,
        errno: 0,
        log: "",
        setupError: `child: ${(e as Error)?.message ?? String(e)}`,
      };
    }
    process.stdout.write(JSON.stringify(result) + "\n");
  }
});
