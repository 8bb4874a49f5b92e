// A simulated linux-7.1 ring (interface 3's Ring71): the CQ region laid out as io_uring_setup
// lays out the ring header with IORING_SETUP_NO_SQARRAY (cq head/tail/ring_mask/ring_entries
// at the offsets of Geometry71, CQEs at `cqesOff`), and the SQ region as the SQE array that
// SQ_REWIND submits from index 0. Posting a CQE writes it at `tail & mask` and bumps the
// tail; the program moves the head. CQEs that find the CQ full wait in an overflow list
// (IORING_FEAT_NODROP) and move in as the head advances.
import { type Cqe, decodeSqe, type SqeView } from "./ring.js";
import { DEFAULT_GEOMETRY71, type Geometry71, regionSizes, type Ring71 } from "./linux71.js";
import { Errno } from "./maps.js";

/** cq_off.ring_mask and cq_off.ring_entries of the kernel's header (NO_SQARRAY layout). */
const CQ_RING_MASK_OFF = 20;
const CQ_RING_ENTRIES_OFF = 28;

export function roundPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class SimRing71 implements Ring71 {
  readonly cq: Uint8Array;
  readonly sq: Uint8Array;
  readonly geometry: Geometry71;
  private readonly cqv: DataView;
  readonly overflow: Cqe[] = [];
  /** Called with the decoded SQEs of each accepted submit_sqes (in slot order). */
  onSubmit: (sqes: { sqe: SqeView; raw: Uint8Array }[]) => void = () => {};

  constructor(geometry: Partial<Geometry71> = {}) {
    const g = { ...DEFAULT_GEOMETRY71, ...geometry };
    // The kernel rounds both rings up to powers of two.
    g.cqEntries = roundPow2(g.cqEntries);
    g.sqEntries = roundPow2(g.sqEntries);
    this.geometry = g;
    const sizes = regionSizes(g);
    this.cq = new Uint8Array(sizes.cq);
    this.sq = new Uint8Array(sizes.sq);
    this.cqv = new DataView(this.cq.buffer);
    if (g.cqHeadOff === DEFAULT_GEOMETRY71.cqHeadOff && g.cqesOff >= 32) {
      this.cqv.setUint32(CQ_RING_MASK_OFF, g.cqEntries - 1, true);
      this.cqv.setUint32(CQ_RING_ENTRIES_OFF, g.cqEntries, true);
    }
  }

  get head(): number {
    return this.cqv.getUint32(this.geometry.cqHeadOff, true);
  }
  get tail(): number {
    return this.cqv.getUint32(this.geometry.cqTailOff, true);
  }
  /** CQEs between head and tail (the program may have moved the head anywhere; clamp). */
  get ready(): number {
    const n = (this.tail - this.head) >>> 0;
    return n > this.geometry.cqEntries ? this.geometry.cqEntries : n;
  }

  /** Posts a CQE at the tail, or keeps it in the overflow list when the CQ is full. */
  post(c: Cqe): "cq" | "overflow" {
    this.flushOverflow();
    if (this.overflow.length || this.ready >= this.geometry.cqEntries) {
      this.overflow.push(c);
      return "overflow";
    }
    this.write(c);
    return "cq";
  }

  /** Moves overflowed CQEs in while there is room. */
  flushOverflow(): void {
    while (this.overflow.length && this.ready < this.geometry.cqEntries)
      this.write(this.overflow.shift()!);
  }

  private write(c: Cqe): void {
    const tail = this.tail;
    const at = this.geometry.cqesOff + (tail & (this.geometry.cqEntries - 1)) * 16;
    this.cqv.setBigUint64(at, BigInt.asUintN(64, c.userData), true);
    this.cqv.setInt32(at + 8, c.res, true);
    this.cqv.setUint32(at + 12, c.flags >>> 0, true);
    this.cqv.setUint32(this.geometry.cqTailOff, (tail + 1) >>> 0, true);
  }

  /** The CQEs between head and tail, oldest first. */
  pending(): Cqe[] {
    const out: Cqe[] = [];
    const head = this.head;
    for (let i = 0; i < this.ready; i++) {
      const at = this.geometry.cqesOff + (((head + i) >>> 0) & (this.geometry.cqEntries - 1)) * 16;
      out.push({
        userData: this.cqv.getBigUint64(at, true),
        res: this.cqv.getInt32(at + 8, true),
        flags: this.cqv.getUint32(at + 12, true),
      });
    }
    return out;
  }

  submit(nr: number): number {
    if (nr < 0 || nr > this.geometry.sqEntries) return -Errno.EINVAL;
    const sqes: { sqe: SqeView; raw: Uint8Array }[] = [];
    for (let i = 0; i < nr; i++) {
      const raw = this.sq.slice(i * 64, i * 64 + 64);
      sqes.push({ sqe: decodeSqe(raw), raw });
    }
    if (nr) this.onSubmit(sqes);
    return nr;
  }
}
