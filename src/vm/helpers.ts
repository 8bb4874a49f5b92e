// Helper functions of the VM. Which helpers exist and their ids come from the target table
// (src/targets/targets.ts); here is only what each one does, following the kernel's
// contracts: map helpers, ringbuf output (captured), a deterministic clock, a seeded
// generator, trace_printk (captured and formatted), and the io_uring helpers over the
// simulated ring. Bad pointer arguments (which the kernel's verifier would have rejected)
// fault with the pc of the call.
import type { TargetInfo } from "../targets/targets.js";
import { CQE_SIZE, SQE_SIZE } from "../targets/sqe.js";
import { type HelperFn, type Interpreter, VmFault } from "./interpreter.js";
import { Errno, MapType, type VmMap } from "./maps.js";
import type { Memory, Region } from "./memory.js";
import { type CompletionQueue, type Cqe, type UserMemory, writeCqe } from "./ring.js";

export type HelperEvent =
  | { type: "printk"; text: string }
  | { type: "ringbuf"; map: string; data: string; flags: number; ret: number }
  | { type: "queue_sqe"; ret: number; seq?: number }
  | { type: "emit"; cq: number; userData: bigint; res: number; flags: number; ret: number }
  | { type: "reap"; cq: number; ret: number; cqe?: Cqe }
  | { type: "copy_to_user"; addr: bigint; len: number; ret: number }
  | { type: "copy_from_user"; addr: bigint; len: number; ret: number }
  | { type: "map"; op: "update" | "delete"; map: string; key: string; ret: number };

export interface HelperEnv {
  target: TargetInfo;
  mem: Memory;
  mapList: readonly VmMap[];
  cqs: readonly CompletionQueue[];
  user: UserMemory;
  /** The context region of the current run (size 0 for an opaque context). */
  ctx(): Region;
  clock: { now: bigint; step: bigint };
  rng: { state: number };
  /** Queues an SQE from the current run; returns a sequence number or a negative errno. */
  queueSqe(bytes: Uint8Array): number;
  event(e: HelperEvent): void;
  /** Whether the running program was loaded sleepable, and where to warn when it is not. */
  sleepable?(): boolean;
  warnSleepable?(helper: string): void;
}

function fault(pc: number, helper: string, why: string): never {
  throw new VmFault(pc, `helper ${helper}: ${why}`);
}

function readArg(
  env: HelperEnv,
  pc: number,
  helper: string,
  addr: bigint,
  len: number,
  what: string,
): Uint8Array {
  const r = env.mem.read(addr, len);
  if (typeof r === "string") fault(pc, helper, `${what}: ${r}`);
  return r;
}

function writeArg(
  env: HelperEnv,
  pc: number,
  helper: string,
  addr: bigint,
  data: Uint8Array,
  what: string,
): void {
  const r = env.mem.write(addr, data);
  if (r !== undefined) fault(pc, helper, `${what}: ${r}`);
}

function mapArg(env: HelperEnv, pc: number, helper: string, vm: Interpreter): VmMap {
  const v = vm.reg(1);
  const region = env.mem.regionOfHi(Number(v >> 32n) | 0);
  const map =
    region?.mapIndex !== undefined && (v & 0xffffffffn) === 0n
      ? env.mapList[region.mapIndex]
      : undefined;
  if (!map) fault(pc, helper, `r1 (0x${v.toString(16)}) is not a map`);
  return map;
}

function checkCtx(env: HelperEnv, pc: number, helper: string, vm: Interpreter): void {
  if (vm.reg(1) !== env.mem.addressOf(env.ctx()))
    fault(pc, helper, "r1 is not the program's context");
}

/** xorshift32: deterministic, seeded by the scenario, never 0. */
function nextRandom(rng: { state: number }): number {
  let x = rng.state || 0x9e3779b9;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  rng.state = x >>> 0;
  return rng.state;
}

/** bpf_trace_printk's format language (the subset the kernel accepts: %d %i %u %x %c %s %p, l/ll). */
export function formatPrintk(
  fmt: string,
  args: readonly bigint[],
  readString: (addr: bigint) => string | undefined,
): string | undefined {
  let out = "";
  let argi = 0;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    let j = i + 1;
    if (fmt[j] === "%") {
      out += "%";
      i = j;
      continue;
    }
    let flags = "";
    while (fmt[j] === "-" || fmt[j] === "0" || fmt[j] === "+" || fmt[j] === " ") flags += fmt[j++];
    let width = "";
    while (fmt[j] !== undefined && fmt[j]! >= "0" && fmt[j]! <= "9") width += fmt[j++];
    let longs = 0;
    while (fmt[j] === "l") {
      longs++;
      j++;
    }
    if (fmt[j] === "h") j++;
    const conv = fmt[j];
    if (conv === undefined || argi >= 3) return undefined;
    const raw = args[argi++]!;
    const is64 = longs > 0;
    let s: string;
    switch (conv) {
      case "d":
      case "i":
        s = (is64 ? BigInt.asIntN(64, raw) : BigInt.asIntN(32, raw)).toString();
        break;
      case "u":
        s = (is64 ? BigInt.asUintN(64, raw) : BigInt.asUintN(32, raw)).toString();
        break;
      case "x":
      case "X":
        s = (is64 ? BigInt.asUintN(64, raw) : BigInt.asUintN(32, raw)).toString(16);
        if (conv === "X") s = s.toUpperCase();
        break;
      case "c":
        s = String.fromCharCode(Number(raw & 0xffn));
        break;
      case "p":
        s = "0x" + BigInt.asUintN(64, raw).toString(16);
        break;
      case "s": {
        const str = readString(raw);
        if (str === undefined) return undefined;
        s = str;
        break;
      }
      default:
        return undefined;
    }
    const w = Number(width || "0");
    if (s.length < w)
      s = flags.includes("-")
        ? s.padEnd(w)
        : flags.includes("0") && conv !== "s"
          ? s.padStart(w, "0")
          : s.padStart(w);
    out += s;
    i = j;
  }
  return out;
}

type Impl = (vm: Interpreter, pc: number, env: HelperEnv, name: string) => bigint | number;

const IMPLS: Record<string, Impl> = {
  map_lookup_elem(vm, pc, env, name) {
    const map = mapArg(env, pc, name, vm);
    const key = readArg(env, pc, name, vm.reg(2), map.def.keySize, "key");
    const r = map.lookup(key);
    return r ? env.mem.addressOf(r) : 0n;
  },
  map_update_elem(vm, pc, env, name) {
    const map = mapArg(env, pc, name, vm);
    const key = readArg(env, pc, name, vm.reg(2), map.def.keySize, "key");
    const value = readArg(env, pc, name, vm.reg(3), map.def.valueSize, "value");
    const ret = map.update(key, value, Number(vm.reg(4) & 0xffffffffn));
    env.event({
      type: "map",
      op: "update",
      map: map.def.name,
      key: Buffer.from(key).toString("hex"),
      ret,
    });
    return ret;
  },
  map_delete_elem(vm, pc, env, name) {
    const map = mapArg(env, pc, name, vm);
    const key = readArg(env, pc, name, vm.reg(2), map.def.keySize, "key");
    const ret = map.delete(key);
    env.event({
      type: "map",
      op: "delete",
      map: map.def.name,
      key: Buffer.from(key).toString("hex"),
      ret,
    });
    return ret;
  },
  ktime_get_ns(_vm, _pc, env) {
    const t = env.clock.now;
    env.clock.now += env.clock.step;
    return t;
  },
  get_prandom_u32(_vm, _pc, env) {
    return nextRandom(env.rng);
  },
  trace_printk(vm, pc, env, name) {
    const size = Number(vm.reg(2) & 0xffffffffn);
    const bytes = readArg(env, pc, name, vm.reg(1), size, "format");
    const nul = bytes.indexOf(0);
    if (nul < 0) return -Errno.EINVAL; // the kernel requires the NUL inside fmt_size
    const fmt = Buffer.from(bytes.subarray(0, nul)).toString("latin1");
    const text = formatPrintk(fmt, [vm.reg(3), vm.reg(4), vm.reg(5)], (a) =>
      env.mem.readCString(a, 4096),
    );
    if (text === undefined) return -Errno.EINVAL;
    env.event({ type: "printk", text });
    return Buffer.byteLength(text, "latin1");
  },
  ringbuf_output(vm, pc, env, name) {
    const map = mapArg(env, pc, name, vm);
    const size = Number(vm.reg(3) & 0xffffffffn);
    const data = readArg(env, pc, name, vm.reg(2), size, "data");
    const flags = Number(vm.reg(4) & 0xffffffffn);
    let ret = 0;
    if (map.def.type !== MapType.RINGBUF) ret = -Errno.EINVAL;
    // Each record takes an 8-byte header plus the data rounded up to 8 (the kernel's layout).
    else if (map.ringUsed + 8 + Math.ceil(size / 8) * 8 > map.def.maxEntries) ret = -Errno.EAGAIN;
    else {
      map.ringUsed += 8 + Math.ceil(size / 8) * 8;
      map.records.push({ map: map.def.name, data, flags });
    }
    env.event({
      type: "ringbuf",
      map: map.def.name,
      data: Buffer.from(data).toString("hex"),
      flags,
      ret,
    });
    return ret;
  },
  copy_from_user(vm, pc, env, name) {
    const size = Number(vm.reg(2) & 0xffffffffn);
    const uptr = vm.reg(3);
    const dst = vm.reg(1);
    const data = env.user.read(uptr, size);
    // On failure the kernel zeroes the destination and returns -EFAULT.
    writeArg(env, pc, name, dst, data ?? new Uint8Array(size), "destination");
    const ret = data ? 0 : -Errno.EFAULT;
    env.event({ type: "copy_from_user", addr: uptr, len: size, ret });
    return ret;
  },
  copy_to_user(vm, pc, env, name) {
    const uptr = vm.reg(1);
    const size = Number(vm.reg(3) & 0xffffffffn);
    const data = readArg(env, pc, name, vm.reg(2), size, "source");
    const ret = env.user.write(uptr, data) ? 0 : -Errno.EFAULT;
    env.event({ type: "copy_to_user", addr: uptr, len: size, ret });
    return ret;
  },
  iouring_queue_sqe(vm, pc, env, name) {
    checkCtx(env, pc, name, vm);
    const len = Number(vm.reg(3) & 0xffffffffn);
    if (len !== SQE_SIZE) {
      env.event({ type: "queue_sqe", ret: -Errno.EINVAL });
      return -Errno.EINVAL;
    }
    const bytes = readArg(env, pc, name, vm.reg(2), SQE_SIZE, "sqe");
    const seq = env.queueSqe(bytes);
    // iouring-v1 returns 0 on success, iouring-v2 returns 1 (one SQE queued) (abi.md).
    const ret = seq < 0 ? seq : env.target.name === "iouring-v1" ? 0 : 1;
    env.event({ type: "queue_sqe", ret, ...(seq >= 0 ? { seq } : {}) });
    return ret;
  },
  iouring_emit_cqe(vm, pc, env, name) {
    checkCtx(env, pc, name, vm);
    const cq = vm.reg(2);
    const userData = vm.reg(3);
    const res = Number(BigInt.asIntN(32, vm.reg(4)));
    const flags = Number(vm.reg(5) & 0xffffffffn);
    const q = cq < BigInt(env.cqs.length) ? env.cqs[Number(cq)] : undefined;
    const ret = q ? 0 : -Errno.EINVAL;
    if (q) q.post({ userData, res, flags });
    env.event({ type: "emit", cq: Number(BigInt.asUintN(32, cq)), userData, res, flags, ret });
    return ret;
  },
  iouring_reap_cqe(vm, pc, env, name) {
    checkCtx(env, pc, name, vm);
    const cq = vm.reg(2);
    const out = vm.reg(3);
    const len = Number(vm.reg(4) & 0xffffffffn);
    const q = cq < BigInt(env.cqs.length) ? env.cqs[Number(cq)] : undefined;
    let ret = 0;
    let cqe: Cqe | undefined;
    if (len !== CQE_SIZE || !q) ret = -Errno.EINVAL;
    else {
      cqe = q.reap();
      if (!cqe) ret = -Errno.ENOENT;
    }
    // The output buffer is zeroed on every failure (so the verifier may treat it as initialised).
    const bytes = new Uint8Array(len);
    if (cqe) writeCqe(cqe, bytes);
    if (len > 0) writeArg(env, pc, name, out, bytes, "cqe_out");
    env.event({ type: "reap", cq: Number(BigInt.asUintN(32, cq)), ret, ...(cqe ? { cqe } : {}) });
    return ret;
  },
};

/** The helper table of a target: ids from the target, behaviour from IMPLS. */
export function makeHelpers(env: HelperEnv): Map<number, HelperFn> {
  const out = new Map<number, HelperFn>();
  for (const proto of Object.values(env.target.helpers)) {
    const impl = IMPLS[proto.name];
    if (!impl) continue;
    out.set(proto.id, (vm, pc) => {
      // The kernel verifier refuses these in non-sleepable programs; the VM runs them but says so.
      if (proto.sleepableOnly && env.sleepable && !env.sleepable()) env.warnSleepable?.(proto.name);
      return impl(vm, pc, env, proto.name);
    });
  }
  return out;
}

/** Names of helpers the VM implements (for docs and tests). */
export const IMPLEMENTED_HELPERS: readonly string[] = Object.keys(IMPLS);
