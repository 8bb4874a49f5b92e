// The bpf(2) system call from Node: koffi calls libc's variadic `syscall` with a zeroed
// `union bpf_attr` buffer whose fields are written at the offsets of include/uapi/linux/bpf.h.
// Pointers inside the attr are the addresses of Node Buffers (stable for the Buffer's life),
// so every Buffer referenced by an attr is kept alive by the caller until the call returns.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

/** bpf() commands used here (enum bpf_cmd). */
export const BpfCmd = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  PROG_TEST_RUN: 10,
  BTF_LOAD: 18,
  MAP_FREEZE: 22,
  LINK_CREATE: 28,
} as const;

export const BpfMapType = { HASH: 1, ARRAY: 2, STRUCT_OPS: 26, RINGBUF: 27 } as const;
export const BpfProgType = { SOCKET_FILTER: 1, STRUCT_OPS: 27, SYSCALL: 31 } as const;
/** enum bpf_attach_type values used here. */
export const BpfAttachType = { STRUCT_OPS: 44 } as const;

/** Map flags. */
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_MMAPABLE = 1 << 10;
export const BPF_F_LINK = 1 << 13;
/** Program flags. */
export const BPF_F_SLEEPABLE = 1 << 4;

/** Size of the attr buffers we pass: large enough for every field we write (PROG_LOAD ends at 140). */
const ATTR_SIZE = 144;

const SYS_BPF: Record<string, number> = { x64: 321, arm64: 280 };

interface Libc {
  syscall: (...args: unknown[]) => number;
  close: (fd: number) => number;
  memmove: (dst: Buffer, src: Buffer, n: number) => number;
  errno: () => number;
}

let libc: Libc | undefined;
let libcError: string | undefined;

function loadLibc(): Libc | undefined {
  if (libc || libcError) return libc;
  try {
    if (process.platform !== "linux")
      throw new Error(`bpf() needs Linux (this is ${process.platform})`);
    if (SYS_BPF[process.arch] === undefined)
      throw new Error(`no bpf() syscall number for ${process.arch}`);
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
    const lib = koffi.load("libc.so.6");
    libc = {
      syscall: lib.func("long syscall(long nr, ...)") as unknown as Libc["syscall"],
      close: lib.func("int close(int fd)") as unknown as Libc["close"],
      // memmove(p, p, 0) returns p: the portable way to learn a Buffer's address through koffi.
      memmove: lib.func(
        "uint64_t memmove(void *dst, void *src, size_t n)",
      ) as unknown as Libc["memmove"],
      errno: () => koffi.errno(),
    };
  } catch (e) {
    libcError = (e as Error).message;
  }
  return libc;
}

/** An error from bpf(): the command, errno and its name. */
export class BpfError extends Error {
  constructor(
    readonly cmd: string,
    readonly errno: number,
  ) {
    super(`bpf(${cmd}) failed: ${errnoName(errno)} (${errno})`);
    this.name = "BpfError";
  }
}

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  7: "E2BIG",
  9: "EBADF",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  16: "EBUSY",
  22: "EINVAL",
  28: "ENOSPC",
  38: "ENOSYS",
  95: "EOPNOTSUPP",
  524: "ENOTSUPP",
};

export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

function lib(): Libc {
  const l = loadLibc();
  if (!l) throw new Error(libcError ?? "libc unavailable");
  return l;
}

/** The address of a Buffer's memory, as a bigint for a u64 attr field. */
export function addressOf(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  return BigInt(lib().memmove(buf, buf, 0));
}

/** Raw bpf(cmd, attr, size): the return value, or -errno. */
export function bpfRaw(cmd: number, attr: Buffer): number {
  const l = lib();
  const r = l.syscall(SYS_BPF[process.arch]!, "int", cmd, "void *", attr, "uint32_t", attr.length);
  return r < 0 ? -l.errno() : r;
}

function bpfOrThrow(name: keyof typeof BpfCmd, attr: Buffer): number {
  const r = bpfRaw(BpfCmd[name], attr);
  if (r < 0) throw new BpfError(name, -r);
  return r;
}

function attr(): Buffer {
  return Buffer.alloc(ATTR_SIZE);
}

function writeName(a: Buffer, offset: number, name: string): void {
  // BPF_OBJ_NAME_LEN 16 including the NUL; the kernel accepts [A-Za-z0-9_.] only.
  a.write(name.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, 15), offset, "latin1");
}

export function closeFd(fd: number): void {
  if (fd >= 0) lib().close(fd);
}

export interface MapCreateOptions {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name?: string;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  /** For BPF_MAP_TYPE_STRUCT_OPS: the kernel's `bpf_struct_ops_<name>` type id in vmlinux. */
  btfVmlinuxValueTypeId?: number;
}

export function mapCreate(o: MapCreateOptions): number {
  const r = mapCreateRaw(o);
  if (r < 0) throw new BpfError("MAP_CREATE", -r);
  return r;
}

/** MAP_CREATE: the fd or -errno. */
export function mapCreateRaw(o: MapCreateOptions): number {
  const a = attr();
  a.writeUInt32LE(o.type, 0);
  a.writeUInt32LE(o.keySize, 4);
  a.writeUInt32LE(o.valueSize, 8);
  a.writeUInt32LE(o.maxEntries, 12);
  a.writeUInt32LE(o.flags ?? 0, 16);
  if (o.name) writeName(a, 28, o.name);
  if (o.btfFd !== undefined) a.writeUInt32LE(o.btfFd, 48);
  a.writeUInt32LE(o.btfKeyTypeId ?? 0, 52);
  a.writeUInt32LE(o.btfValueTypeId ?? 0, 56);
  a.writeUInt32LE(o.btfVmlinuxValueTypeId ?? 0, 60);
  return bpfRaw(BpfCmd.MAP_CREATE, a);
}

/** MAP_UPDATE_ELEM: 0 or -errno. */
export function mapUpdateRaw(fd: number, key: Uint8Array, value: Uint8Array, flags = 0): number {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const a = attr();
  a.writeUInt32LE(fd, 0);
  a.writeBigUInt64LE(addressOf(k), 8);
  a.writeBigUInt64LE(addressOf(v), 16);
  a.writeBigUInt64LE(BigInt(flags), 24);
  const r = bpfRaw(BpfCmd.MAP_UPDATE_ELEM, a);
  void [k, v];
  return r;
}

/** BPF_LINK_CREATE: the link fd or -errno. For struct_ops, `progOrMapFd` is the map's fd. */
export function linkCreate(
  progOrMapFd: number,
  targetFd: number,
  attachType: number,
  flags = 0,
): number {
  const a = attr();
  a.writeUInt32LE(progOrMapFd, 0);
  a.writeUInt32LE(targetFd, 4);
  a.writeUInt32LE(attachType, 8);
  a.writeUInt32LE(flags, 12);
  return bpfRaw(BpfCmd.LINK_CREATE, a);
}

/** MAP_FREEZE: 0 or -errno. */
export function mapFreezeRaw(fd: number): number {
  const a = attr();
  a.writeUInt32LE(fd, 0);
  return bpfRaw(BpfCmd.MAP_FREEZE, a);
}

/**
 * The value for a key, or undefined when the key is absent (ENOENT). `valueSize` must be
 * what the kernel copies out: for per-CPU maps that is round_up(value_size, 8) × possible CPUs.
 */
export function mapLookup(fd: number, key: Uint8Array, valueSize: number): Uint8Array | undefined {
  const k = Buffer.from(key);
  const v = Buffer.alloc(valueSize);
  const a = attr();
  a.writeUInt32LE(fd, 0);
  a.writeBigUInt64LE(addressOf(k), 8);
  a.writeBigUInt64LE(addressOf(v), 16);
  const r = bpfRaw(BpfCmd.MAP_LOOKUP_ELEM, a);
  if (r === -2) return undefined;
  if (r < 0) throw new BpfError("MAP_LOOKUP_ELEM", -r);
  return new Uint8Array(v);
}

/** The key after `key` (the first key when `key` is undefined), or undefined at the end. */
export function mapNextKey(
  fd: number,
  key: Uint8Array | undefined,
  keySize: number,
): Uint8Array | undefined {
  const k = key ? Buffer.from(key) : undefined;
  const next = Buffer.alloc(keySize);
  const a = attr();
  a.writeUInt32LE(fd, 0);
  if (k) a.writeBigUInt64LE(addressOf(k), 8);
  a.writeBigUInt64LE(addressOf(next), 16);
  const r = bpfRaw(BpfCmd.MAP_GET_NEXT_KEY, a);
  if (r === -2) return undefined;
  if (r < 0) throw new BpfError("MAP_GET_NEXT_KEY", -r);
  return new Uint8Array(next);
}

export function mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags = 0): void {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const a = attr();
  a.writeUInt32LE(fd, 0);
  a.writeBigUInt64LE(addressOf(k), 8);
  a.writeBigUInt64LE(addressOf(v), 16);
  a.writeBigUInt64LE(BigInt(flags), 24);
  bpfOrThrow("MAP_UPDATE_ELEM", a);
}

export function mapFreeze(fd: number): void {
  const a = attr();
  a.writeUInt32LE(fd, 0);
  bpfOrThrow("MAP_FREEZE", a);
}

export interface ProgLoadOptions {
  type: number;
  /** Encoded instructions, 8 bytes each. */
  insns: Uint8Array;
  license: string;
  flags?: number;
  name?: string;
  expectedAttachType?: number;
  /** 0 none, 1 per-branch trace, 2 every insn; 4 (stats) may be or-ed in. */
  logLevel?: number;
  /** Log buffer size in bytes (default 4 MiB). */
  logSize?: number;
  btfFd?: number;
  /** bpf_func_info records (8 bytes each). */
  funcInfo?: Uint8Array;
  /** bpf_line_info records (16 bytes each). */
  lineInfo?: Uint8Array;
  /** fd_array for BPF_PSEUDO_MAP_IDX / kfunc module BTFs. */
  fdArray?: readonly number[];
  /** attach_btf_id (struct_ops: the struct type's id in vmlinux). */
  attachBtfId?: number;
}

export interface ProgLoadResult {
  /** The program fd, or -1 when the load failed. */
  fd: number;
  /** errno of a failed load, 0 on success. */
  errno: number;
  log: string;
}

export function progLoad(o: ProgLoadOptions): ProgLoadResult {
  if (o.insns.length % 8 !== 0) throw new Error("instruction bytes are not a multiple of 8");
  const insns = Buffer.from(o.insns);
  const license = Buffer.from(o.license + "\0", "latin1");
  const logLevel = o.logLevel ?? 1;
  const log = Buffer.alloc(logLevel ? (o.logSize ?? 4 << 20) : 0);
  const funcInfo = o.funcInfo ? Buffer.from(o.funcInfo) : undefined;
  const lineInfo = o.lineInfo ? Buffer.from(o.lineInfo) : undefined;
  const fdArray = o.fdArray ? Buffer.from(new Int32Array(o.fdArray).buffer) : undefined;
  const a = attr();
  a.writeUInt32LE(o.type, 0);
  a.writeUInt32LE(insns.length / 8, 4);
  a.writeBigUInt64LE(addressOf(insns), 8);
  a.writeBigUInt64LE(addressOf(license), 16);
  if (logLevel) {
    a.writeUInt32LE(logLevel, 24);
    a.writeUInt32LE(log.length, 28);
    a.writeBigUInt64LE(addressOf(log), 32);
  }
  a.writeUInt32LE(o.flags ?? 0, 44);
  if (o.name) writeName(a, 48, o.name);
  a.writeUInt32LE(o.expectedAttachType ?? 0, 68);
  if (o.btfFd !== undefined) a.writeUInt32LE(o.btfFd, 72);
  if (funcInfo && funcInfo.length) {
    a.writeUInt32LE(8, 76);
    a.writeBigUInt64LE(addressOf(funcInfo), 80);
    a.writeUInt32LE(funcInfo.length / 8, 88);
  }
  if (lineInfo && lineInfo.length) {
    a.writeUInt32LE(16, 92);
    a.writeBigUInt64LE(addressOf(lineInfo), 96);
    a.writeUInt32LE(lineInfo.length / 16, 104);
  }
  if (o.attachBtfId !== undefined) a.writeUInt32LE(o.attachBtfId, 108);
  if (fdArray) a.writeBigUInt64LE(addressOf(fdArray), 120);
  const r = bpfRaw(BpfCmd.PROG_LOAD, a);
  const end = log.indexOf(0);
  const text = log.subarray(0, end < 0 ? log.length : end).toString("utf8");
  // Keep the Buffers reachable until after the call (the attr holds only their addresses).
  void [insns, license, funcInfo, lineInfo, fdArray];
  return r < 0 ? { fd: -1, errno: -r, log: text } : { fd: r, errno: 0, log: text };
}

export interface TestRunOptions {
  progFd: number;
  ctxIn?: Uint8Array;
  /** Size of the ctx_out buffer (0: none). */
  ctxOutSize?: number;
  dataIn?: Uint8Array;
  dataOutSize?: number;
  repeat?: number;
  flags?: number;
}

export interface TestRunResult {
  retval: number;
  duration: number;
  /** ctx_in after the run: BPF_PROG_TYPE_SYSCALL copies the context back into ctx_in. */
  ctxIn?: Uint8Array;
  ctxOut?: Uint8Array;
  dataOut?: Uint8Array;
}

export function progTestRun(o: TestRunOptions): TestRunResult {
  const ctxIn = o.ctxIn ? Buffer.from(o.ctxIn) : undefined;
  const ctxOut = o.ctxOutSize ? Buffer.alloc(o.ctxOutSize) : undefined;
  const dataIn = o.dataIn ? Buffer.from(o.dataIn) : undefined;
  const dataOut = o.dataOutSize ? Buffer.alloc(o.dataOutSize) : undefined;
  const a = attr();
  a.writeUInt32LE(o.progFd, 0);
  if (dataIn) {
    a.writeUInt32LE(dataIn.length, 8);
    a.writeBigUInt64LE(addressOf(dataIn), 16);
  }
  if (dataOut) {
    a.writeUInt32LE(dataOut.length, 12);
    a.writeBigUInt64LE(addressOf(dataOut), 24);
  }
  a.writeUInt32LE(o.repeat ?? 0, 32);
  if (ctxIn) {
    a.writeUInt32LE(ctxIn.length, 40);
    a.writeBigUInt64LE(addressOf(ctxIn), 48);
  }
  if (ctxOut) {
    a.writeUInt32LE(ctxOut.length, 44);
    a.writeBigUInt64LE(addressOf(ctxOut), 56);
  }
  a.writeUInt32LE(o.flags ?? 0, 64);
  bpfOrThrow("PROG_TEST_RUN", a);
  return {
    retval: a.readUInt32LE(4),
    duration: a.readUInt32LE(36),
    ...(ctxIn ? { ctxIn: new Uint8Array(ctxIn) } : {}),
    ...(ctxOut ? { ctxOut: new Uint8Array(ctxOut.subarray(0, a.readUInt32LE(44))) } : {}),
    ...(dataOut ? { dataOut: new Uint8Array(dataOut.subarray(0, a.readUInt32LE(12))) } : {}),
  };
}

export function btfLoad(
  btf: Uint8Array,
  logSize = 1 << 20,
): { fd: number; errno: number; log: string } {
  const data = Buffer.from(btf);
  const log = Buffer.alloc(logSize);
  const a = attr();
  a.writeBigUInt64LE(addressOf(data), 0);
  a.writeBigUInt64LE(addressOf(log), 8);
  a.writeUInt32LE(data.length, 16);
  a.writeUInt32LE(log.length, 20);
  a.writeUInt32LE(1, 24);
  const r = bpfRaw(BpfCmd.BTF_LOAD, a);
  const end = log.indexOf(0);
  const text = log.subarray(0, end < 0 ? log.length : end).toString("utf8");
  return r < 0 ? { fd: -1, errno: -r, log: text } : { fd: r, errno: 0, log: text };
}

// ---------------------------------------------------------------------------------------
// Capabilities and availability

export const CAP_SYS_ADMIN = 21;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;

/** The effective capability set of this process (from /proc/self/status), or undefined. */
export function effectiveCaps(): bigint | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? BigInt("0x" + m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function hasCap(caps: bigint | undefined, cap: number): boolean {
  return caps !== undefined && ((caps >> BigInt(cap)) & 1n) === 1n;
}

/**
 * The verifier mode a load from this process gets: lenient with CAP_SYS_ADMIN or CAP_PERFMON
 * (it then allows reads of uninitialised stack and more), strict otherwise.
 */
export function currentMode(): "strict" | "lenient" {
  const caps = effectiveCaps();
  return hasCap(caps, CAP_SYS_ADMIN) || hasCap(caps, CAP_PERFMON) ? "lenient" : "strict";
}

let probe: { ok: true } | { ok: false; reason: string } | undefined;

/**
 * Whether this process can use the kernel oracle: Linux, libc through koffi, and a bpf() that
 * creates an array map and loads a two-instruction SYSCALL program.
 */
export function kernelOracleAvailable(): { ok: true } | { ok: false; reason: string } {
  // An escape hatch for machines where loading test programs is unwanted (and for testing
  // the unavailable path).
  if (process.env.IOUBPF_NO_KERNEL_ORACLE)
    return { ok: false, reason: "disabled by IOUBPF_NO_KERNEL_ORACLE" };
  if (probe) return probe;
  probe = doProbe();
  return probe;
}

function doProbe(): { ok: true } | { ok: false; reason: string } {
  if (!loadLibc()) return { ok: false, reason: libcError ?? "libc unavailable" };
  let mapFd = -1;
  try {
    mapFd = mapCreate({
      type: BpfMapType.ARRAY,
      keySize: 4,
      valueSize: 8,
      maxEntries: 1,
      name: "probe",
    });
  } catch (e) {
    const errno = e instanceof BpfError ? e.errno : 0;
    const why =
      errno === 1
        ? "bpf() is not permitted (EPERM): the process lacks CAP_BPF"
        : (e as Error).message;
    return { ok: false, reason: why };
  } finally {
    closeFd(mapFd);
  }
  // r0 = 0; exit
  const insns = Uint8Array.from([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  const r = progLoad({
    type: BpfProgType.SYSCALL,
    insns,
    license: "GPL",
    flags: BPF_F_SLEEPABLE,
    logLevel: 0,
  });
  if (r.fd < 0) {
    return {
      ok: false,
      reason: `cannot load a sleepable BPF_PROG_TYPE_SYSCALL program: ${errnoName(r.errno)}${r.errno === 1 ? " (no CAP_BPF)" : ""}`,
    };
  }
  closeFd(r.fd);
  return { ok: true };
}
