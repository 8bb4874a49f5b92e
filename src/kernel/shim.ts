// The io_uring helper shims: BPF subprograms appended to a program loaded as
// BPF_PROG_TYPE_SYSCALL, each standing in for one io_uring helper and recording what it was
// asked to do in array maps. Shims address fixed fields with ld_imm64 map-value relocations
// and reach indexed entries only through map helpers (computed keys are scalars), because
// pointer arithmetic on map values with per-call-site constants is rejected in strict mode.
import { OP, SlotAsm, type Slot, type ShimMapRef } from "./slots.js";
import { BpfMapType } from "./bpf.js";

export type ShimKind = "queue_sqe" | "emit_cqe" | "reap_cqe" | "copy_to_user";

/** Which target helper (by its name in src/targets/targets.ts) each shim replaces. */
export const SHIMMED_HELPERS: Readonly<Record<string, ShimKind>> = {
  iouring_queue_sqe: "queue_sqe",
  iouring_emit_cqe: "emit_cqe",
  iouring_reap_cqe: "reap_cqe",
  copy_to_user: "copy_to_user",
};

export const SQE_SIZE = 64;
export const CQE_SIZE = 16;
/** An emitted-CQE record: u32 cq, u32 pad, u64 user_data, s32 res, u32 flags. */
export const EMIT_RECORD_SIZE = 24;
/** A copy_to_user record: u64 uptr, u32 size, u32 pad. */
export const COPY_RECORD_SIZE = 16;
/**
 * `state` map value: u32 counters at fixed offsets, the returned value, and scratch space for
 * map keys and records. The shims keep keys and records here rather than on their own stack:
 * a shim frame's stack would count towards the 512-byte combined limit of the program that
 * calls it, which the real helpers do not (issue 16).
 */
export const STATE = {
  nsqe: 0,
  nemit: 4,
  ncopy: 8,
  nreap: 12,
  ret: 16,
  key: 24,
  key2: 28,
  rec: 32,
  size: 56,
} as const;

const EINVAL = -22;
const EBUSY = -16;
const ENOENT = -2;

export interface ShimConfig {
  /** Number of CQs (valid cq indices are 0..nCq-1). */
  nCq: number;
  /** Capacity of each CQ's scripted CQE list. */
  perCq: number;
  maxSqes: number;
  maxEmits: number;
  maxCopies: number;
  /** What queue_sqe returns on success (iouring-v1: 0, iouring-v2: 1). */
  queueReturn: number;
  /** The constant size queue_sqe demands, and reap_cqe's (from the target's helper table). */
  sqeLen: number;
  cqeLen: number;
}

/** The smallest power of two >= n (n >= 1). */
export function pow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Byte offset of CQ q's head/count pair in the `cq_state` value. */
export const cqStateOffset = (q: number): number => q * 8;
/** Byte offset of CQ q's scripted CQE i in the `cq_script` value. */
export const cqScriptOffset = (c: Pick<ShimConfig, "perCq">, q: number, i: number): number =>
  (q * pow2(c.perCq) + i) * CQE_SIZE;

export interface ShimMapDef {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

export function shimMaps(c: ShimConfig): ShimMapDef[] {
  const arr = (name: string, valueSize: number, maxEntries: number): ShimMapDef => ({
    name,
    type: BpfMapType.ARRAY,
    keySize: 4,
    valueSize,
    maxEntries: Math.max(1, maxEntries),
  });
  return [
    // Direct value access (ld_imm64 map value) needs a one-entry array.
    arr("state", STATE.size, 1),
    arr("sqes", SQE_SIZE, c.maxSqes),
    arr("emits", EMIT_RECORD_SIZE, c.maxEmits),
    arr("copies", COPY_RECORD_SIZE, c.maxCopies),
    // One value each (direct value access, so reap_cqe indexes them without a lookup and its
    // NULL check): per CQ q at byte q * 8, u32 head (next to reap) and u32 count (scripted);
    // CQ q's scripted CQE i at byte ((q << perShift) | i) * 16. Power-of-two strides, so a
    // masked index is in bounds for the verifier.
    arr("cq_state", 8 * pow2(c.nCq), 1),
    arr("cq_script", CQE_SIZE * pow2(c.nCq) * pow2(c.perCq), 1),
  ];
}

export interface Shim {
  kind: ShimKind;
  slots: Slot[];
  mapRefs: ShimMapRef[];
  traps: { slot: number; reason: string }[];
}

const MAP_UPDATE = 2;

/** The epilogue: r0 goes through a map value and back, so the caller sees an unknown scalar. */
function opaqueReturn(a: SlotAsm): SlotAsm {
  a.label("ret");
  a.ldMap(1, "state", "value", STATE.ret);
  a.emit(OP.STXDW, 1, 0, 0);
  a.emit(OP.LDXDW, 0, 1, 0);
  return a.emit(OP.EXIT);
}

/**
 * `ok = 1 + (r0 s>> 63)`: 1 when the map update in r0 returned 0, 0 when it failed (a
 * negative errno), computed without a branch. A branch the verifier cannot decide would push
 * one pending state per call, and about 4,100 calls on one path would then hit the kernel's
 * 8,192-jump limit, which the real helpers (no branches) never do.
 */
function okFromUpdate(a: SlotAsm): SlotAsm {
  return a.emit(OP.ARSH64_IMM, 0, 0, 0, 63).emit(OP.ADD64_IMM, 0, 0, 0, 1);
}

/** r0 = ok ? good : bad, for ok in {0, 1} in r0, without a branch. */
function select(a: SlotAsm, good: number, bad: number): SlotAsm {
  return a.emit(OP.MUL64_IMM, 0, 0, 0, good - bad).emit(OP.ADD64_IMM, 0, 0, 0, bad);
}

/**
 * queue_sqe(ctx, sqe, len): copies the 64-byte SQE into `sqes[nsqe]`, and counts it when that
 * worked; beyond the `sqes` map's `maxSqes` entries the update fails, and the shim returns
 * -EBUSY; a size other than 64 is -EINVAL (nothing counted). Branch-free: even a branch a
 * constant size decides is walked on its impossible side by the strict (unprivileged)
 * kernel, a path the real helper does not have. The 64 bytes are read whatever the size; our
 * verifier demands the constant 64 (E6042), so only programs we reject differ there.
 */
function queueSqe(c: ShimConfig): SlotAsm {
  const a = new SlotAsm();
  equals(a, 8, 3, c.sqeLen); // r8 = size ok
  a.ldMap(6, "state", "value", 0);
  a.emit(OP.LDXW, 7, 6, STATE.nsqe);
  a.emit(OP.STXW, 6, 7, STATE.key);
  // map_update_elem(sqes, &key, sqe, 0): the verifier checks all 64 bytes are readable and
  // (in strict mode) initialised, as the real helper's ARG_PTR_TO_MEM does.
  a.emit(OP.MOV64_REG, 3, 2);
  a.emit(OP.MOV64_REG, 2, 6).emit(OP.ADD64_IMM, 2, 0, 0, STATE.key);
  a.ldMap(1, "sqes", "fd");
  a.emit(OP.MOV64_IMM, 4, 0, 0, 0);
  a.emit(OP.CALL, 0, 0, 0, MAP_UPDATE);
  okFromUpdate(a);
  a.emit(OP.AND64_REG, 0, 8);
  a.emit(OP.ADD64_REG, 7, 0);
  a.emit(OP.STXW, 6, 7, STATE.nsqe);
  select(a, c.queueReturn, EBUSY);
  orEinval(a, 8);
  return opaqueReturn(a);
}

/**
 * `dst = x <u limit ? 1 : 0` without a branch (`tmp` is clobbered): `(x - limit) >> 63` is
 * that for x < 2^63, and `x >> 31 == 0` rules out larger x (limit < 2^31).
 */
function below(a: SlotAsm, dst: number, x: number, tmp: number, limit: number): SlotAsm {
  a.emit(OP.MOV64_REG, dst, x)
    .emit(OP.ADD64_IMM, dst, 0, 0, -limit)
    .emit(OP.RSH64_IMM, dst, 0, 0, 63);
  // tmp = (x >> 31 != 0): (-(h) | h) >> 63 for h = x >> 31 (< 2^33, so -h is negative iff h != 0)
  a.emit(OP.MOV64_REG, tmp, x).emit(OP.RSH64_IMM, tmp, 0, 0, 31);
  a.emit(OP.MOV64_REG, 0, tmp).emit(OP.NEG64, 0).emit(OP.OR64_REG, tmp, 0);
  a.emit(OP.RSH64_IMM, tmp, 0, 0, 63).emit(OP.XOR64_IMM, tmp, 0, 0, 1);
  return a.emit(OP.AND64_REG, dst, tmp);
}

/**
 * `dst = x == k ? 1 : 0` without a branch: for y = x ^ k, `(y | -y) >> 63` is 1 exactly when
 * y != 0. `dst` and `x` must differ; r0 is clobbered.
 */
function equals(a: SlotAsm, dst: number, x: number, k: number): SlotAsm {
  a.emit(OP.MOV64_REG, dst, x).emit(OP.XOR64_IMM, dst, 0, 0, k);
  a.emit(OP.MOV64_REG, 0, dst).emit(OP.NEG64, 0).emit(OP.OR64_REG, dst, 0);
  return a.emit(OP.RSH64_IMM, dst, 0, 0, 63).emit(OP.XOR64_IMM, dst, 0, 0, 1);
}

/** r0 = valid ? r0 : EINVAL, for valid in {0, 1} in `valid`, without a branch. */
function orEinval(a: SlotAsm, valid: number): SlotAsm {
  return a
    .emit(OP.ADD64_IMM, 0, 0, 0, -EINVAL)
    .emit(OP.MUL64_REG, 0, valid)
    .emit(OP.ADD64_IMM, 0, 0, 0, EINVAL);
}

/**
 * emit_cqe(ctx, cq, user_data, res, flags): records {cq, user_data, res, flags} in
 * `emits[nemit]`; -EBUSY beyond `maxEmits` (the update fails), -EINVAL for a bad CQ index.
 * Branch-free (the record of a bad CQ index is written but not counted, so the next emit
 * overwrites it): a branch on an index the verifier does not know would leave one pending
 * state per call, which the real helper does not.
 */
function emitCqe(c: ShimConfig): SlotAsm {
  const a = new SlotAsm();
  below(a, 8, 2, 9, c.nCq);
  a.ldMap(6, "state", "value", 0);
  a.emit(OP.LDXW, 7, 6, STATE.nemit);
  a.emit(OP.STXW, 6, 7, STATE.key);
  a.emit(OP.STXW, 6, 2, STATE.rec);
  a.emit(OP.STW, 6, 0, STATE.rec + 4, 0);
  a.emit(OP.STXDW, 6, 3, STATE.rec + 8);
  a.emit(OP.STXW, 6, 4, STATE.rec + 16);
  a.emit(OP.STXW, 6, 5, STATE.rec + 20);
  a.ldMap(1, "emits", "fd");
  a.emit(OP.MOV64_REG, 2, 6).emit(OP.ADD64_IMM, 2, 0, 0, STATE.key);
  a.emit(OP.MOV64_REG, 3, 6).emit(OP.ADD64_IMM, 3, 0, 0, STATE.rec);
  a.emit(OP.MOV64_IMM, 4, 0, 0, 0);
  a.emit(OP.CALL, 0, 0, 0, MAP_UPDATE);
  okFromUpdate(a);
  a.emit(OP.AND64_REG, 0, 8);
  a.emit(OP.ADD64_REG, 7, 0);
  a.emit(OP.STXW, 6, 7, STATE.nemit);
  select(a, 0, EBUSY);
  orEinval(a, 8);
  return opaqueReturn(a);
}

/**
 * reap_cqe(ctx, cq, out, len): zeroes out[0..16), then pops CQ `cq`'s next scripted CQE into
 * it; -ENOENT (-2) when the script is exhausted, -EINVAL for a bad CQ index or size.
 * Branch-free (issue 16: each branch the
 * verifier cannot decide leaves one pending state per call, and a reap loop of thousands of
 * iterations then hit the kernel's 8,192-jump limit inside the shim, where a real helper adds
 * nothing). The CQ index is masked to the power-of-two `cq_state` table and the CQE index to
 * the script's power-of-two stride, so every access is in bounds; an invalid index or an
 * exhausted script reads an entry but keeps nothing (`has` = 0).
 */
function reapCqe(c: ShimConfig): SlotAsm {
  const a = new SlotAsm();
  const perShift = Math.log2(pow2(c.perCq));
  // A size other than 16 is -EINVAL at run time; the 16 bytes are written whatever the size
  // (a branch on it, even one a constant decides, is walked on its impossible side by the
  // strict kernel; our verifier demands the constant 16, E6042).
  a.emit(OP.MOV64_REG, 6, 3);
  // The out buffer is ARG_PTR_TO_UNINIT_MEM: written on every path, so the caller's stack
  // counts as initialised afterwards, as with the real helper.
  a.emit(OP.STDW, 6, 0, 0, 0);
  a.emit(OP.STDW, 6, 0, 8, 0);
  // The index goes through a map value so that it is never a verifier-known constant at the
  // pointer additions below: in strict mode a constant at one call site and an unknown at
  // another would be "different scalars" at the same instruction.
  a.ldMap(9, "state", "value", 0);
  a.emit(OP.STXDW, 9, 2, STATE.rec);
  a.emit(OP.LDXDW, 7, 9, STATE.rec);
  below(a, 8, 7, 1, c.nCq);
  equals(a, 1, 4, c.cqeLen);
  a.emit(OP.AND64_REG, 8, 1); // r8 = valid: CQ index and size
  a.emit(OP.AND64_IMM, 7, 0, 0, pow2(c.nCq) - 1);
  a.ldMap(1, "cq_state", "value", 0);
  a.emit(OP.MOV64_REG, 2, 7).emit(OP.LSH64_IMM, 2, 0, 0, 3).emit(OP.ADD64_REG, 1, 2);
  a.emit(OP.LDXW, 2, 1, 0); // head
  a.emit(OP.LDXW, 3, 1, 4); // count
  // r4 = has = valid && head < count (both u32, so the 64-bit difference's sign is the answer)
  a.emit(OP.MOV64_REG, 4, 2).emit(OP.SUB64_REG, 4, 3).emit(OP.RSH64_IMM, 4, 0, 0, 63);
  a.emit(OP.AND64_REG, 4, 8);
  a.emit(OP.MOV64_REG, 5, 2).emit(OP.ADD64_REG, 5, 4).emit(OP.STXW, 1, 5, 0);
  // the scripted CQE at ((cq << perShift) | (head & (stride - 1))) * 16
  a.emit(OP.AND64_IMM, 2, 0, 0, pow2(c.perCq) - 1);
  a.emit(OP.MOV64_REG, 5, 7).emit(OP.LSH64_IMM, 5, 0, 0, perShift).emit(OP.OR64_REG, 5, 2);
  a.emit(OP.LSH64_IMM, 5, 0, 0, 4);
  a.ldMap(0, "cq_script", "value", 0);
  a.emit(OP.ADD64_REG, 0, 5);
  a.emit(OP.LDXDW, 1, 0, 0).emit(OP.LDXDW, 2, 0, 8);
  // keep it only when has: mask = -has
  a.emit(OP.MOV64_REG, 3, 4).emit(OP.NEG64, 3);
  a.emit(OP.AND64_REG, 1, 3).emit(OP.AND64_REG, 2, 3);
  a.emit(OP.STXDW, 6, 1, 0).emit(OP.STXDW, 6, 2, 8);
  a.emit(OP.LDXW, 1, 9, STATE.nreap).emit(OP.ADD64_REG, 1, 4).emit(OP.STXW, 9, 1, STATE.nreap);
  // r0 = valid ? (has ? 0 : -ENOENT) : -EINVAL
  a.emit(OP.MOV64_REG, 0, 4);
  select(a, 0, ENOENT);
  orEinval(a, 8);
  return opaqueReturn(a);
}

/**
 * copy_to_user(uptr, src, size): records {uptr, size} in `copies[ncopy]`; -EBUSY beyond
 * `maxCopies`. The bytes are not copied (a SYSCALL program has no variable-size copy helper in
 * strict mode), and `src` is not checked.
 */
function copyToUser(_c: ShimConfig): SlotAsm {
  const a = new SlotAsm();
  a.ldMap(6, "state", "value", 0);
  a.emit(OP.LDXW, 7, 6, STATE.ncopy);
  a.emit(OP.STXW, 6, 7, STATE.key);
  a.emit(OP.STXDW, 6, 1, STATE.rec);
  a.emit(OP.STXW, 6, 3, STATE.rec + 8);
  a.emit(OP.STW, 6, 0, STATE.rec + 12, 0);
  a.ldMap(1, "copies", "fd");
  a.emit(OP.MOV64_REG, 2, 6).emit(OP.ADD64_IMM, 2, 0, 0, STATE.key);
  a.emit(OP.MOV64_REG, 3, 6).emit(OP.ADD64_IMM, 3, 0, 0, STATE.rec);
  a.emit(OP.MOV64_IMM, 4, 0, 0, 0);
  a.emit(OP.CALL, 0, 0, 0, MAP_UPDATE);
  okFromUpdate(a);
  a.emit(OP.ADD64_REG, 7, 0);
  a.emit(OP.STXW, 6, 7, STATE.ncopy);
  select(a, 0, EBUSY);
  return opaqueReturn(a);
}

/**
 * The shim for one helper. With `forbid`, the shim is only a trap: every call site fails
 * verification with that reason (a sleepable-only helper called by a non-sleepable program).
 */
export function buildShim(kind: ShimKind, c: ShimConfig, forbid?: string): Shim {
  if (forbid) {
    const t = new SlotAsm().trap(forbid);
    return { kind, slots: t.finish(), mapRefs: [], traps: t.traps };
  }
  const a =
    kind === "queue_sqe"
      ? queueSqe(c)
      : kind === "emit_cqe"
        ? emitCqe(c)
        : kind === "reap_cqe"
          ? reapCqe(c)
          : copyToUser(c);
  return { kind, slots: a.finish(), mapRefs: a.mapRefs, traps: a.traps };
}
