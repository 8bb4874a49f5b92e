// Little-endian byte building and bounds-checked reading shared by the ELF, BTF and BTF.ext
// code. Every object we read or write is little-endian (elf.md).

/** A growable little-endian output buffer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  u64(v: number | bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, BigInt(v)), true);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Pads with zero bytes up to a multiple of `align`. */
  align(align: number): void {
    while (align > 1 && this.length % align !== 0) this.u8(0);
  }

  /** Overwrites a u32 already written. */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Read-only little-endian view whose accessors return undefined past the end instead of throwing. */
export class ByteReader {
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  has(off: number, n: number): boolean {
    return Number.isSafeInteger(off) && off >= 0 && n >= 0 && off + n <= this.bytes.length;
  }

  u8(off: number): number {
    return this.bytes[off]!;
  }
  u16(off: number): number {
    return this.view.getUint16(off, true);
  }
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
  i32(off: number): number {
    return this.view.getInt32(off, true);
  }
  /** A u64 as a number when it is exactly representable, else Infinity (callers reject it as out of range). */
  u64(off: number): number {
    const v = this.view.getBigUint64(off, true);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.POSITIVE_INFINITY;
  }
  bigU64(off: number): bigint {
    return this.view.getBigUint64(off, true);
  }
  bigI64(off: number): bigint {
    return this.view.getBigInt64(off, true);
  }
}

const utf8 = new TextDecoder("utf-8");
const utf8Enc = new TextEncoder();

export function encodeUtf8(s: string): Uint8Array {
  return utf8Enc.encode(s);
}

/**
 * The NUL-terminated string at `off` of a string table, or undefined when `off` is outside
 * the table or the string is not terminated inside it.
 */
export function cString(table: Uint8Array, off: number): string | undefined {
  if (!Number.isInteger(off) || off < 0 || off >= table.length) return undefined;
  const end = table.indexOf(0, off);
  if (end < 0) return undefined;
  return utf8.decode(table.subarray(off, end));
}

/** An ELF-style string table: `\0` first, each distinct string once, shared suffixes merged. */
export function buildStringTable(strings: Iterable<string>): {
  bytes: Uint8Array;
  offsets: Map<string, number>;
} {
  const unique = [...new Set(strings)].filter((s) => s !== "");
  // Sort by reversed string, longest first within a shared suffix, so that a string that is a
  // suffix of the one before it can point into it (the same tail merging clang's tables do).
  const rev = (s: string): string => [...s].reverse().join("");
  const keyed = unique.map((s) => ({ s, r: rev(s) }));
  keyed.sort((a, b) => (a.r < b.r ? 1 : a.r > b.r ? -1 : 0));
  const w = new ByteWriter();
  w.u8(0);
  const offsets = new Map<string, number>([["", 0]]);
  let prev: { s: string; off: number } | undefined;
  for (const { s } of keyed) {
    if (prev && prev.s.endsWith(s)) {
      offsets.set(s, prev.off + encodeUtf8(prev.s).length - encodeUtf8(s).length);
      continue;
    }
    const off = w.length;
    w.bytes(encodeUtf8(s));
    w.u8(0);
    offsets.set(s, off);
    prev = { s, off };
  }
  return { bytes: w.finish(), offsets };
}
