// The strict-mode loader: run as a child process without CAP_SYS_ADMIN and CAP_PERFMON (see
// oracle.ts). Reads one LoadPlan as JSON on stdin, writes one ExecResult as JSON on stdout.
import { executePlan, type ExecResult } from "./exec.js";
import type { LoadPlan } from "./plan.js";

const chunks: Buffer[] = [];
process.stdin.on("data", (c: Buffer) => chunks.push(c));
process.stdin.on("end", () => {
  let result: ExecResult;
  try {
    result = executePlan(JSON.parse(Buffer.concat(chunks).toString("utf8")) as LoadPlan);
  } catch (e) {
    result = { mode: "strict", loaded: false, errno: 0, log: "", setupError: `child: ${(e as Error)?.message ?? String(e)}` };
  }
  process.stdout.write(JSON.stringify(result));
});
