// linux-7.1 object facts the code generator, the loaders and the VM share
// (docs/linux-7.1.md): ring-geometry .rodata globals, the plumbing state in .bss, the emit
// ring buffer, the struct_ops map and the kfuncs.

/** `.rodata` u32 globals the loader fills from `io_uring_params` before load. */
export const GEOMETRY = {
  cqHeadOff: "iou_cq_head_off",
  cqTailOff: "iou_cq_tail_off",
  cqesOff: "iou_cqes_off",
  cqEntries: "iou_cq_entries",
  sqEntries: "iou_sq_entries",
} as const;
export type GeometryKey = keyof typeof GEOMETRY;
/** The geometry globals' names, in one list (loaders, the VM and the verifier read it). */
export const GEOMETRY_NAMES: readonly string[] = Object.values(GEOMETRY);

/** Plumbing state in `.bss`, named `<program>__iou_<what>`, readable after a run. */
export const PLUMBING_VARS = [
  { what: "started", size: 1, signed: false },
  { what: "inflight", size: 4, signed: false },
  { what: "steps", size: 4, signed: false },
  { what: "error", size: 4, signed: true },
  { what: "idle", size: 1, signed: false },
  // SQEs written in the current step (reset at its start).
  { what: "sq_used", size: 4, signed: false },
] as const;
export type PlumbingWhat = (typeof PLUMBING_VARS)[number]["what"];

export function plumbingSymbol(program: string, what: PlumbingWhat): string {
  return `${program}__iou_${what}`;
}

/** The ring buffer map `emit` records go to, and its size. */
export const EMIT_MAP = "iou_emit";
export const EMIT_MAP_BYTES = 64 * 1024;
export const EMIT_RECORD_SIZE = 16;

/** The struct_ops map of program P. */
export function opsMapSymbol(program: string): string {
  return `${program}_ops`;
}
export const STRUCT_OPS_TYPE = "io_uring_bpf_ops";
export const STRUCT_OPS_SIZE = 24;

export const KFUNC_GET_REGION = "bpf_io_uring_get_region";
export const KFUNC_SUBMIT_SQES = "bpf_io_uring_submit_sqes";
/** The open-coded numeric iterator bounding the CQ walk (kfuncs of every program type). */
export const KFUNC_ITER_NEW = "bpf_iter_num_new";
export const KFUNC_ITER_NEXT = "bpf_iter_num_next";
export const KFUNC_ITER_DESTROY = "bpf_iter_num_destroy";

export const REGION_CQ = 1;
export const REGION_SQ = 2;
export const IOU_LOOP_CONTINUE = 0;
export const IOU_LOOP_STOP = 1;
/** IORING_CQE_F_MORE: the request stays in flight. */
export const CQE_F_MORE = 2;
export const EFAULT = 14;
/** Default bound of the CQ walk per step (`--cq-batch`). */
export const DEFAULT_CQ_BATCH = 64;
