// The trace of a simulation as text (one line per event) and as JSON data (64-bit values that
// do not fit a double become decimal strings).
import type { Cqe, SqeView } from "./ring.js";
import type { SimEvent, SimResult } from "./simulate.js";

const hex = (v: bigint | number) => "0x" + BigInt.asUintN(64, BigInt(v)).toString(16);

function sqeText(s: SqeView): string {
  const parts = [s.opName];
  if (s.flags) parts.push(`flags=${hex(s.flags)}`);
  if (s.fd) parts.push(`fd=${s.fd}`);
  if (s.off) parts.push(`off=${s.off}`);
  if (s.addr) parts.push(`addr=${hex(s.addr)}`);
  if (s.len) parts.push(`len=${s.len}`);
  if (s.opFlags) parts.push(`op_flags=${hex(s.opFlags)}`);
  if (s.ioprio) parts.push(`ioprio=${s.ioprio}`);
  if (s.bufIndex) parts.push(`buf_index=${s.bufIndex}`);
  if (s.cq) parts.push(`cq=${s.cq}`);
  parts.push(`user_data=${hex(s.userData)}`);
  return parts.join(" ");
}

function cqeText(c: Cqe): string {
  return `{user_data=${hex(c.userData)} res=${c.res}${c.flags ? ` flags=${hex(c.flags)}` : ""}}`;
}

function eventText(e: SimEvent): string {
  switch (e.type) {
    case "submit":
      return `submit #${e.seq} ${sqeText(e.sqe)} (by ${e.by})`;
    case "run":
      return `run ${e.run}: ${e.program} for #${e.seq}${e.ctx ? ` ctx{user_data=${hex(e.ctx.userData)} wait_nr=${e.ctx.waitNr} wait_idx=${e.ctx.waitIdx}}` : ""}`;
    case "exit": {
      const w = Object.entries(e.ctxWrites).map(([k, [a, b]]) => `${k} ${a}→${b}`);
      return `  exit r0=${BigInt.asIntN(64, e.r0)} (${e.insns} insns)${w.length ? ` ctx: ${w.join(", ")}` : ""}`;
    }
    case "fault":
      return `  FAULT at pc ${e.pc}: ${e.message}`;
    case "wait":
      return `  #${e.seq} waits for ${e.nr} CQE(s) on CQ ${e.cq}`;
    case "cqe":
      return `cqe CQ${e.cq} ${cqeText(e.cqe)}${e.seq !== undefined ? ` for #${e.seq}` : ""}${e.note ? ` (${e.note})` : ""}`;
    case "printk":
      return `  trace_printk: ${JSON.stringify(e.text)}`;
    case "ringbuf":
      return `  ringbuf_output ${e.map} ${e.data} -> ${e.ret}`;
    case "queue_sqe":
      return `  queue_sqe -> ${e.ret}${e.seq !== undefined ? ` (#${e.seq})` : ""}`;
    case "emit":
      return `  emit_cqe CQ${e.cq} ${cqeText({ userData: e.userData, res: e.res, flags: e.flags })} -> ${e.ret}`;
    case "reap":
      return `  reap_cqe CQ${e.cq} -> ${e.ret}${e.cqe ? ` ${cqeText(e.cqe)}` : ""}`;
    case "copy_to_user":
      return `  copy_to_user ${hex(e.addr)} len=${e.len} -> ${e.ret}`;
    case "copy_from_user":
      return `  copy_from_user ${hex(e.addr)} len=${e.len} -> ${e.ret}`;
    case "map":
      return `  map_${e.op}_elem ${e.map} key=${e.key} -> ${e.ret}`;
    case "step":
      return `step ${e.run}: loop_step head=${e.head} tail=${e.tail}`;
    case "step_exit":
      return `  exit ${e.ret === 1 ? "STOP" : e.ret === 0 ? "CONTINUE" : `r0=${e.ret}`} (${e.insns} insns) head ${e.head[0]}→${e.head[1]} (${e.consumed} CQE(s) consumed) cq_wait_idx=${e.cqWaitIdx}`;
    case "sleep":
      return `  sleeps until tail ${e.tail} reaches cq_wait_idx ${e.waitIdx} (${e.need} more CQE(s))`;
    case "stop":
      return `STOP: ${e.reason}`;
    case "emit71":
      return `  emit ${cqeText({ userData: e.userData, res: e.res, flags: e.flags }).slice(1, -1)}`;
    case "get_region":
      return `  get_region ${e.region === 1 ? "CQ" : e.region === 2 ? "SQ" : e.region === 0 ? "MEM" : e.region} size=${e.size} -> ${e.ret}`;
    case "submit_sqes":
      return `  submit_sqes nr=${e.nr} -> ${e.ret}`;
  }
}

/** Events shown without `helpers`: the run structure; helper calls are the detail. */
const SUMMARY_EVENTS = new Set([
  "submit",
  "run",
  "exit",
  "fault",
  "wait",
  "cqe",
  "step",
  "step_exit",
  "sleep",
  "stop",
  "emit71",
]);

export function formatTrace(r: SimResult, options: { helpers?: boolean } = {}): string {
  const lines: string[] = [];
  for (const e of r.events) {
    if (options.helpers === false && !SUMMARY_EVENTS.has(e.type)) continue;
    lines.push(`[${String(e.step).padStart(4)}] ${eventText(e)}`);
  }
  if (r.final) {
    for (const q of r.final.cqs)
      lines.push(
        `CQ${q.index}: ${q.cqes.length} CQE(s) left${q.overflow ? ` (${q.overflow} in overflow)` : ""}${q.cqes.length ? ": " + q.cqes.map(cqeText).join(" ") : ""}`,
      );
    if (r.final.inflight) lines.push(`${r.final.inflight} request(s) still in flight`);
    const g = Object.entries(r.final.globals ?? {});
    if (g.length) lines.push(`globals: ${g.map(([k, v]) => `${k}=${v}`).join(" ")}`);
    for (const [name, entries] of Object.entries(r.final.maps)) {
      const e = Object.entries(entries);
      if (e.length) lines.push(`map ${name}: ${e.map(([k, v]) => `${k}=${v}`).join(" ")}`);
    }
  }
  lines.push(
    r.kind === "loop71"
      ? `${r.stats.runs} loop_step call(s), ${r.stats.sqes} SQE(s), ${r.stats.insns} instructions, ${r.stats.steps} time step(s)`
      : `${r.stats.runs} run(s), ${r.stats.sqes} SQE(s), ${r.stats.insns} instructions, ${r.stats.steps} step(s)`,
  );
  return lines.join("\n") + "\n";
}

/** JSON-safe copy: bigints become numbers when exact, else decimal strings. */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === "bigint")
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return v;
}

export function traceToJson(r: SimResult): unknown {
  return toJsonValue({ events: r.events, final: r.final, stats: r.stats });
}
