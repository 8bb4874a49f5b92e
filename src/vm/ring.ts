// The simulated io_uring: SQE decoding for traces, completion queues (CQ 0 plus the extra
// CQs of iouring-v2), and simulated user memory for bpf_copy_{to,from}_user. Layouts and
// opcode names come from src/targets/sqe.ts (the one table of the ring ABI).
import {
  CQE_SIZE,
  IOSQE_FLAGS,
  opcodeName,
  SQE_SIZE,
  SQE_SLOTS,
  sqeField,
} from "../targets/sqe.js";

export interface Cqe {
  userData: bigint;
  res: number;
  flags: number;
}

/** An SQE's fields, decoded by union slot (the op decides which member a slot means). */
export interface SqeView {
  opcode: number;
  opName: string;
  flags: number;
  ioprio: number;
  fd: number;
  off: bigint;
  addr: bigint;
  len: number;
  opFlags: number;
  userData: bigint;
  bufIndex: number;
  personality: number;
  spliceFdIn: number;
  addr3: bigint;
  /** iouring-v2's completion-queue index (u16 @48). */
  cq: number;
}

const CQ_FIELD = sqeField("cq");

/** `bpfOpcode`: the target's IORING_OP_BPF, which names opcode 37 differently from mainline. */
export function decodeSqe(bytes: Uint8Array, bpfOpcode?: number): SqeView {
  const v = new DataView(bytes.buffer, bytes.byteOffset, SQE_SIZE);
  const opcode = v.getUint8(SQE_SLOTS.opcode.offset);
  return {
    opcode,
    opName: opcode === bpfOpcode ? "BPF" : (opcodeName(opcode) ?? `OP_${opcode}`),
    flags: v.getUint8(SQE_SLOTS.flags.offset),
    ioprio: v.getUint16(SQE_SLOTS.ioprio.offset, true),
    fd: v.getInt32(SQE_SLOTS.fd.offset, true),
    off: v.getBigUint64(SQE_SLOTS.off.offset, true),
    addr: v.getBigUint64(SQE_SLOTS.addr.offset, true),
    len: v.getUint32(SQE_SLOTS.len.offset, true),
    opFlags: v.getUint32(SQE_SLOTS.opFlags.offset, true),
    userData: v.getBigUint64(SQE_SLOTS.userData.offset, true),
    bufIndex: v.getUint16(SQE_SLOTS.bufIndex.offset, true),
    personality: v.getUint16(SQE_SLOTS.personality.offset, true),
    spliceFdIn: v.getInt32(SQE_SLOTS.spliceFdIn.offset, true),
    addr3: v.getBigUint64(SQE_SLOTS.addr3.offset, true),
    cq: CQ_FIELD ? v.getUint16(CQ_FIELD.offset, true) : 0,
  };
}

/** Builds SQE bytes from fields (scenario-submitted SQEs). */
export function encodeSqe(f: Partial<SqeView>): Uint8Array {
  const bytes = new Uint8Array(SQE_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint8(SQE_SLOTS.opcode.offset, f.opcode ?? 0);
  v.setUint8(SQE_SLOTS.flags.offset, f.flags ?? 0);
  v.setUint16(SQE_SLOTS.ioprio.offset, f.ioprio ?? 0, true);
  v.setInt32(SQE_SLOTS.fd.offset, f.fd ?? 0, true);
  v.setBigUint64(SQE_SLOTS.off.offset, BigInt.asUintN(64, f.off ?? 0n), true);
  v.setBigUint64(SQE_SLOTS.addr.offset, BigInt.asUintN(64, f.addr ?? 0n), true);
  v.setUint32(SQE_SLOTS.len.offset, f.len ?? 0, true);
  v.setUint32(SQE_SLOTS.opFlags.offset, f.opFlags ?? 0, true);
  v.setBigUint64(SQE_SLOTS.userData.offset, BigInt.asUintN(64, f.userData ?? 0n), true);
  v.setUint16(SQE_SLOTS.bufIndex.offset, f.bufIndex ?? 0, true);
  v.setUint16(SQE_SLOTS.personality.offset, f.personality ?? 0, true);
  v.setInt32(SQE_SLOTS.spliceFdIn.offset, f.spliceFdIn ?? 0, true);
  v.setBigUint64(SQE_SLOTS.addr3.offset, BigInt.asUintN(64, f.addr3 ?? 0n), true);
  if (f.cq && CQ_FIELD) v.setUint16(CQ_FIELD.offset, f.cq, true);
  return bytes;
}

/** IOSQE bit numbers, looked up once from the shared table. */
function iosqeBit(kernel: string): number {
  const flag = IOSQE_FLAGS.find((x) => x.kernel === kernel);
  if (!flag) throw new Error(`IOSQE table lacks ${kernel}`);
  return 1 << flag.bit;
}
export const IOSQE = {
  LINK: iosqeBit("IOSQE_IO_LINK"),
  HARDLINK: iosqeBit("IOSQE_IO_HARDLINK"),
  CQE_SKIP_SUCCESS: iosqeBit("IOSQE_CQE_SKIP_SUCCESS"),
} as const;

export function writeCqe(cqe: Cqe, out: Uint8Array): void {
  const v = new DataView(out.buffer, out.byteOffset, CQE_SIZE);
  v.setBigUint64(0, BigInt.asUintN(64, cqe.userData), true);
  v.setInt32(8, cqe.res, true);
  v.setUint32(12, cqe.flags >>> 0, true);
}

/**
 * One completion queue. When it is full, further CQEs go to an overflow list (the kernel's
 * IORING_FEAT_NODROP behaviour) and move into the ring as entries are reaped.
 */
export class CompletionQueue {
  readonly cqes: Cqe[] = [];
  readonly overflowList: Cqe[] = [];
  posted = 0;
  reaped = 0;

  constructor(
    readonly index: number,
    readonly entries: number,
  ) {}

  get count(): number {
    return this.cqes.length + this.overflowList.length;
  }

  post(cqe: Cqe): void {
    this.posted++;
    if (this.cqes.length < this.entries) this.cqes.push(cqe);
    else this.overflowList.push(cqe);
  }

  reap(): Cqe | undefined {
    const c = this.cqes.shift();
    if (!c) return undefined;
    this.reaped++;
    const o = this.overflowList.shift();
    if (o) this.cqes.push(o);
    return c;
  }
}

/** Simulated user-space memory: mapped segments at fixed addresses. */
export class UserMemory {
  readonly segments: { addr: bigint; bytes: Uint8Array }[] = [];

  map(addr: bigint, bytes: Uint8Array): void {
    this.segments.push({ addr, bytes });
  }

  private find(addr: bigint, len: number): { seg: Uint8Array; off: number } | undefined {
    for (const s of this.segments) {
      if (addr >= s.addr && addr + BigInt(len) <= s.addr + BigInt(s.bytes.length))
        return { seg: s.bytes, off: Number(addr - s.addr) };
    }
    return undefined;
  }

  read(addr: bigint, len: number): Uint8Array | undefined {
    const f = this.find(addr, len);
    return f ? f.seg.slice(f.off, f.off + len) : undefined;
  }

  write(addr: bigint, data: Uint8Array): boolean {
    const f = this.find(addr, data.length);
    if (!f) return false;
    f.seg.set(data, f.off);
    return true;
  }
}
