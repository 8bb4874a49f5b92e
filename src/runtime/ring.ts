// A real io_uring set up per the loader contract (docs/linux-7.1.md, step 1), its mmap'd
// regions, and the submission/wait primitives the emulation uses.
import { addressOf as addrOf } from "../kernel/bpf.js";
import {
  ioUringEnter,
  ioUringRegister,
  ioUringSetup,
  MAP_POPULATE,
  MAP_SHARED,
  mmap,
  munmap,
  PROT_READ,
  PROT_WRITE,
  closeFd,
  type Mapping,
} from "./sys.js";

export const SETUP = {
  CQSIZE: 1 << 3,
  SINGLE_ISSUER: 1 << 12,
  DEFER_TASKRUN: 1 << 13,
  NO_SQARRAY: 1 << 16,
  SQ_REWIND: 1 << 20,
} as const;
export const ENTER = { GETEVENTS: 1, EXT_ARG: 1 << 3 } as const;
const FEAT_SINGLE_MMAP = 1;
const OFF_SQ_RING = 0;
const OFF_CQ_RING = 0x8000000;
const OFF_SQES = 0x10000000;
const REGISTER_FILES = 2;

export interface RingGeometry {
  sqEntries: number;
  cqEntries: number;
  sqOff: { head: number; tail: number; ringMask: number; array: number };
  cqOff: { head: number; tail: number; ringMask: number; cqes: number };
}

export interface Ring {
  fd: number;
  flags: number;
  /** Whether the kernel took IORING_SETUP_SQ_REWIND (else the SQ array maps slots to SQEs). */
  sqRewind: boolean;
  geometry: RingGeometry;
  /** Ring headers + CQEs (bpf_io_uring_get_region(ctx, 1)). */
  cq: Uint8Array;
  /** The SQE array (region 2). */
  sq: Uint8Array;
  /** Submit SQEs 0..nr-1 of the SQE array: count submitted or -errno. */
  submit(nr: number): number;
  /** Runs deferred task work and waits until `want` CQEs are in the CQ (tail - head) or `ms` pass; 0, -ETIME or -errno. */
  wait(want: number, ms: number): number;
  cqTail(): number;
  cqHead(): number;
  close(): void;
}

export type RingResult = { ring: Ring } | { error: string; errno: number };

/**
 * Sets up a ring with the contract's flags. `fallback` lets the emulation drop SQ_REWIND
 * (and NO_SQARRAY) on kernels that reject them.
 */
export function setupRing(sq: number, cq: number | undefined, fallback: boolean): RingResult {
  const base = SETUP.SINGLE_ISSUER | SETUP.DEFER_TASKRUN | (cq !== undefined ? SETUP.CQSIZE : 0);
  const attempts = [base | SETUP.NO_SQARRAY | SETUP.SQ_REWIND];
  if (fallback) attempts.push(base);
  let last = 0;
  for (const flags of attempts) {
    const params = Buffer.alloc(120);
    params.writeUInt32LE(flags, 8);
    if (cq !== undefined) params.writeUInt32LE(cq, 4);
    const fd = ioUringSetup(sq, params);
    if (fd < 0) {
      last = -fd;
      if (last !== 22) break; // only EINVAL means "flag unknown"
      continue;
    }
    const r = mapRing(fd, flags, params);
    if ("error" in r) closeFd(fd);
    return r;
  }
  return { error: `io_uring_setup failed (errno ${last})`, errno: last };
}

function mapRing(fd: number, flags: number, p: Buffer): RingResult {
  const g: RingGeometry = {
    sqEntries: p.readUInt32LE(0),
    cqEntries: p.readUInt32LE(4),
    sqOff: {
      head: p.readUInt32LE(40),
      tail: p.readUInt32LE(44),
      ringMask: p.readUInt32LE(48),
      array: p.readUInt32LE(64),
    },
    cqOff: {
      head: p.readUInt32LE(80),
      tail: p.readUInt32LE(84),
      ringMask: p.readUInt32LE(88),
      cqes: p.readUInt32LE(100),
    },
  };
  const features = p.readUInt32LE(20);
  const noArray = (flags & SETUP.NO_SQARRAY) !== 0;
  const sqSize = noArray ? g.sqOff.tail + 4 : g.sqOff.array + g.sqEntries * 4;
  const cqSize = g.cqOff.cqes + g.cqEntries * 16;
  const maps: Mapping[] = [];
  const fail = (what: string, e: number): RingResult => {
    for (const m of maps) munmap(m);
    return { error: `mmap of the ${what} failed (errno ${e})`, errno: e };
  };
  const rw = PROT_READ | PROT_WRITE;
  let rings: Mapping;
  let cqMap: Mapping;
  if (features & FEAT_SINGLE_MMAP) {
    const m = mmap(Math.max(sqSize, cqSize), rw, MAP_SHARED | MAP_POPULATE, fd, OFF_SQ_RING);
    if (typeof m === "number") return fail("rings", -m);
    maps.push(m);
    rings = cqMap = m;
  } else {
    const a = mmap(sqSize, rw, MAP_SHARED | MAP_POPULATE, fd, OFF_SQ_RING);
    if (typeof a === "number") return fail("SQ ring", -a);
    maps.push(a);
    const b = mmap(cqSize, rw, MAP_SHARED | MAP_POPULATE, fd, OFF_CQ_RING);
    if (typeof b === "number") return fail("CQ ring", -b);
    maps.push(b);
    rings = a;
    cqMap = b;
  }
  const sqes = mmap(g.sqEntries * 64, rw, MAP_SHARED | MAP_POPULATE, fd, OFF_SQES);
  if (typeof sqes === "number") return fail("SQEs", -sqes);
  maps.push(sqes);
  const rv = new DataView(rings.bytes.buffer, rings.bytes.byteOffset, rings.bytes.byteLength);
  const cv = new DataView(cqMap.bytes.buffer, cqMap.bytes.byteOffset, cqMap.bytes.byteLength);
  const sqRewind = (flags & SETUP.SQ_REWIND) !== 0;
  let closed = false;
  const ring: Ring = {
    fd,
    flags,
    sqRewind,
    geometry: g,
    cq: cqMap.bytes.subarray(0, cqSize),
    sq: sqes.bytes,
    submit(nr) {
      if (nr === 0) return 0;
      if (!sqRewind) {
        // Without SQ_REWIND the kernel takes SQEs from its head onwards: point the SQ array
        // slots head..head+nr-1 at SQEs 0..nr-1 and publish the new tail.
        const tail = rv.getUint32(g.sqOff.tail, true);
        const mask = g.sqOff.ringMask ? rv.getUint32(g.sqOff.ringMask, true) : g.sqEntries - 1;
        if (!noArray)
          for (let i = 0; i < nr; i++)
            rv.setUint32(g.sqOff.array + ((tail + i) & mask) * 4, i, true);
        Atomics.store(
          new Uint32Array(rings.bytes.buffer, rings.bytes.byteOffset + g.sqOff.tail, 1),
          0,
          (tail + nr) >>> 0,
        );
      }
      return ioUringEnter(fd, nr, 0, 0);
    },
    wait(want, ms) {
      const arg = Buffer.alloc(24);
      const ts = Buffer.alloc(16);
      ts.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
      ts.writeBigInt64LE(BigInt(Math.floor((ms % 1000) * 1e6)), 8);
      arg.writeBigUInt64LE(ms > 0 ? addrOf(ts) : 0n, 16);
      const r = ioUringEnter(fd, 0, Math.max(0, want), ENTER.GETEVENTS | ENTER.EXT_ARG, arg, 24);
      void ts;
      return r < 0 ? r : 0;
    },
    cqTail() {
      return cv.getUint32(g.cqOff.tail, true);
    },
    cqHead() {
      return cv.getUint32(g.cqOff.head, true);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const m of maps) munmap(m);
      closeFd(fd);
    },
  };
  return { ring };
}

/**
 * Registers `fds` as fixed files so that slot i holds fd i: a program may then use the same
 * number with or without `fixedFile`. 0 or -errno.
 */
export function registerFilesAsThemselves(ring: Ring, fds: number[]): number {
  if (fds.length === 0) return 0;
  const n = Math.max(...fds) + 1;
  const table = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) table.writeInt32LE(fds.includes(i) ? i : -1, i * 4);
  return ioUringRegister(ring.fd, REGISTER_FILES, table, n);
}
