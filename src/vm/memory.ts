// The VM's checked memory. Every byte a program can touch belongs to a region (a frame's
// stack, the context, a map value, a global-data section, a helper buffer). A pointer is a
// 64-bit value whose high 32 bits tag the region and whose low 32 bits are the offset into
// it, so pointer arithmetic is plain 64-bit arithmetic, pointers survive spills to memory,
// and every access is checked against the tagged region's bounds and permissions.

export interface Region {
  readonly id: number;
  /** For messages: "stack[0]", "ctx", "map counters[3]", ".rodata". */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readable: boolean;
  writable: boolean;
  /** Set when a hash-map element was deleted: accesses fault instead of reading stale data. */
  freed?: boolean;
  /** Map handles are regions of size 0 so that dereferencing them faults; helpers find the map here. */
  mapIndex?: number;
}

/** Region tags are spaced 16 apart so a borrow out of the low word never lands on another region. */
const TAG_SHIFT = 4;

export function regionTag(id: number): number {
  return (id + 1) << TAG_SHIFT;
}

export class Memory {
  readonly regions: Region[] = [];

  add(
    name: string,
    size: number,
    opts: { writable?: boolean; readable?: boolean; data?: Uint8Array } = {},
  ): Region {
    const bytes = new Uint8Array(size);
    if (opts.data) bytes.set(opts.data.subarray(0, size));
    const region: Region = {
      id: this.regions.length,
      name,
      bytes,
      view: new DataView(bytes.buffer),
      readable: opts.readable ?? true,
      writable: opts.writable ?? true,
    };
    this.regions.push(region);
    return region;
  }

  /**
   * A region over caller-owned bytes (not copied): the linux-7.1 ring regions, which the
   * program and the simulated ring both see.
   */
  addShared(name: string, bytes: Uint8Array, opts: { writable?: boolean } = {}): Region {
    const region: Region = {
      id: this.regions.length,
      name,
      bytes,
      view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      readable: true,
      writable: opts.writable ?? true,
    };
    this.regions.push(region);
    return region;
  }

  /** The region a pointer's high word tags, or undefined. */
  regionOfHi(hi: number): Region | undefined {
    if ((hi & ((1 << TAG_SHIFT) - 1)) !== 0 || hi <= 0) return undefined;
    return this.regions[(hi >>> TAG_SHIFT) - 1];
  }

  /** The 64-bit address of `offset` in `region`. */
  addressOf(region: Region, offset = 0): bigint {
    return (BigInt(regionTag(region.id)) << 32n) + BigInt(offset);
  }

  /**
   * Resolves [addr, addr+size) to a region and offset, or returns a message saying why the
   * access is invalid. Used by helpers (the interpreter inlines the same checks).
   */
  resolve(addr: bigint, size: number, write: boolean): { region: Region; offset: number } | string {
    const a = BigInt.asUintN(64, addr);
    const hi = Number(a >> 32n) | 0;
    const lo = Number(a & 0xffffffffn);
    const region = this.regionOfHi(hi);
    if (!region) return `address 0x${a.toString(16)} is not in any memory region`;
    return this.check(region, lo, size, write);
  }

  check(
    region: Region,
    offset: number,
    size: number,
    write: boolean,
  ): { region: Region; offset: number } | string {
    if (region.freed) return `access to ${region.name} after it was deleted`;
    if (offset < 0 || offset + size > region.bytes.length)
      return `${write ? "write" : "read"} of ${size} byte${size === 1 ? "" : "s"} at offset ${offset} is outside ${region.name} (size ${region.bytes.length})`;
    if (write && !region.writable) return `write to read-only ${region.name}`;
    if (!write && !region.readable) return `read from ${region.name}, which cannot be read`;
    return { region, offset };
  }

  read(addr: bigint, size: number): Uint8Array | string {
    const r = this.resolve(addr, size, false);
    if (typeof r === "string") return r;
    return r.region.bytes.slice(r.offset, r.offset + size);
  }

  write(addr: bigint, data: Uint8Array): string | undefined {
    const r = this.resolve(addr, data.length, true);
    if (typeof r === "string") return r;
    r.region.bytes.set(data, r.offset);
    return undefined;
  }

  /** Reads a NUL-terminated string of at most `max` bytes (the NUL must be inside). */
  readCString(addr: bigint, max: number): string | undefined {
    const a = BigInt.asUintN(64, addr);
    const region = this.regionOfHi(Number(a >> 32n) | 0);
    const off = Number(a & 0xffffffffn);
    if (!region || region.freed || !region.readable || off >= region.bytes.length) return undefined;
    const end = Math.min(region.bytes.length, off + max);
    let s = "";
    for (let i = off; i < end; i++) {
      const b = region.bytes[i]!;
      if (b === 0) return s;
      s += String.fromCharCode(b);
    }
    return undefined;
  }
}
