// Maps of the VM: definitions read from BTF-defined `.maps` (elf.md) or given by a scenario,
// and their behaviour (array, hash, per-cpu variants as one cpu, ring buffer). Each element
// value is its own memory region so an access past one value faults instead of reaching
// the next one.
import { decodeBtf, type BtfType } from "../elf/btf.js";
import type { ObjFile } from "../elf/types.js";
import type { Memory, Region } from "./memory.js";
import { MapType } from "../targets/bpf-abi.js";

export { MapType };

export const MAP_TYPE_NAMES: Record<string, number> = {
  hash: MapType.HASH,
  array: MapType.ARRAY,
  percpu_hash: MapType.PERCPU_HASH,
  percpu_array: MapType.PERCPU_ARRAY,
  lru_hash: MapType.LRU_HASH,
  ringbuf: MapType.RINGBUF,
};

export interface MapDef {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

/** errno values the helpers return (negated). */
export const Errno = {
  ENOENT: 2,
  E2BIG: 7,
  EAGAIN: 11,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ECANCELED: 125,
} as const;

const BPF_NOEXIST = 1;
const BPF_EXIST = 2;

function resolveSize(t: BtfType, depth = 0): number | undefined {
  if (depth > 32) return undefined;
  switch (t.kind) {
    case "int":
    case "struct":
    case "union":
    case "enum":
    case "enum64":
    case "float":
      return t.size;
    case "ptr":
      return 8;
    case "array": {
      const e = resolveSize(t.type, depth + 1);
      return e === undefined ? undefined : e * t.nelems;
    }
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
      return resolveSize(t.type, depth + 1);
    default:
      return undefined;
  }
}

function strip(t: BtfType): BtfType {
  let cur = t;
  for (
    let i = 0;
    i < 32 &&
    (cur.kind === "typedef" ||
      cur.kind === "volatile" ||
      cur.kind === "const" ||
      cur.kind === "restrict" ||
      cur.kind === "type_tag");
    i++
  )
    cur = cur.type;
  return cur;
}

/** Map definitions of an object's BTF `.maps` section, by symbol name. Errors are strings. */
export function mapDefsFromBtf(obj: ObjFile): { defs: MapDef[]; errors: string[] } {
  const defs: MapDef[] = [];
  const errors: string[] = [];
  const btf = obj.sections.find((s) => s.name === ".BTF");
  if (!btf || !obj.sections.some((s) => s.name === ".maps")) return { defs, errors };
  const decoded = decodeBtf(btf.data);
  for (const d of decoded.diagnostics) errors.push(`.BTF: ${d.message}`);
  for (const t of decoded.types) {
    if (t.kind !== "datasec" || t.name !== ".maps") continue;
    for (const v of t.vars) {
      if (v.type.kind !== "var") continue;
      const st = strip(v.type.type);
      if (st.kind !== "struct") {
        errors.push(`map ${v.type.name}: its BTF type is not a struct`);
        continue;
      }
      const def: MapDef = {
        name: v.type.name,
        type: 0,
        keySize: 0,
        valueSize: 0,
        maxEntries: 0,
        flags: 0,
      };
      for (const m of st.members) {
        const mt = strip(m.type);
        // Integer attributes are encoded as pointers to arrays whose length is the value.
        const intAttr = (): number | undefined => {
          if (mt.kind !== "ptr") return undefined;
          const a = strip(mt.target);
          return a.kind === "array" ? a.nelems : undefined;
        };
        switch (m.name) {
          case "type":
            def.type = intAttr() ?? 0;
            break;
          case "max_entries":
            def.maxEntries = intAttr() ?? 0;
            break;
          case "map_flags":
            def.flags = intAttr() ?? 0;
            break;
          case "key_size":
            def.keySize = intAttr() ?? 0;
            break;
          case "value_size":
            def.valueSize = intAttr() ?? 0;
            break;
          case "key":
          case "value": {
            const size = mt.kind === "ptr" ? resolveSize(mt.target) : undefined;
            if (size === undefined) errors.push(`map ${def.name}: cannot size its ${m.name} type`);
            else if (m.name === "key") def.keySize = size;
            else def.valueSize = size;
            break;
          }
        }
      }
      defs.push(def);
    }
  }
  return { defs, errors };
}

export interface RingbufRecord {
  map: string;
  data: Uint8Array;
  flags: number;
}

/** One live map: elements keyed by the key bytes in hex. */
export class VmMap {
  private readonly elems = new Map<string, Region>();
  /** Records written with bpf_ringbuf_output (ring buffers only). */
  readonly records: RingbufRecord[] = [];
  /** Bytes used in a ring buffer (max_entries is its size). */
  ringUsed = 0;

  constructor(
    readonly def: MapDef,
    readonly index: number,
    private readonly mem: Memory,
    /** The size-0 region whose tag is the map's "pointer" (ld_imm64 of the map). */
    readonly handle: Region,
  ) {}

  get isArray(): boolean {
    return this.def.type === MapType.ARRAY || this.def.type === MapType.PERCPU_ARRAY;
  }

  private keyHex(key: Uint8Array): string {
    return Buffer.from(key).toString("hex");
  }

  private arrayIndex(key: Uint8Array): number {
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  /** Array maps have every element from the start (zeroed), as in the kernel. */
  private arrayElem(i: number): Region {
    const k = String(i);
    let r = this.elems.get(k);
    if (!r) {
      r = this.mem.add(`map ${this.def.name}[${i}]`, this.def.valueSize);
      this.elems.set(k, r);
    }
    return r;
  }

  lookup(key: Uint8Array): Region | undefined {
    if (this.isArray) {
      const i = this.arrayIndex(key);
      return i < this.def.maxEntries ? this.arrayElem(i) : undefined;
    }
    return this.elems.get(this.keyHex(key));
  }

  /** Returns 0 or a negative errno (the kernel's map_update_elem contract). */
  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    if (this.isArray) {
      const i = this.arrayIndex(key);
      if (i >= this.def.maxEntries) return -Errno.E2BIG;
      if (flags === BPF_NOEXIST) return -Errno.EEXIST;
      this.arrayElem(i).bytes.set(value.subarray(0, this.def.valueSize));
      return 0;
    }
    const k = this.keyHex(key);
    const old = this.elems.get(k);
    if (old && flags === BPF_NOEXIST) return -Errno.EEXIST;
    if (!old && flags === BPF_EXIST) return -Errno.ENOENT;
    if (!old && this.elems.size >= this.def.maxEntries) return -Errno.E2BIG;
    // A new element replaces the old one (the kernel allocates a new one for hash maps).
    if (old) old.freed = true;
    const r = this.mem.add(`map ${this.def.name}{${k}}`, this.def.valueSize, { data: value });
    this.elems.set(k, r);
    return 0;
  }

  delete(key: Uint8Array): number {
    if (this.isArray) return -Errno.EINVAL;
    const k = this.keyHex(key);
    const old = this.elems.get(k);
    if (!old) return -Errno.ENOENT;
    old.freed = true;
    this.elems.delete(k);
    return 0;
  }

  /** Contents as {key hex: value hex}, for traces and tests. */
  dump(): Record<string, string> {
    const out: Record<string, string> = {};
    const keys = [...this.elems.keys()];
    if (this.isArray) keys.sort((a, b) => Number(a) - Number(b));
    for (const k of keys) {
      const hexKey = this.isArray
        ? Buffer.from(new Uint32Array([Number(k)]).buffer)
            .toString("hex")
            .padEnd(this.def.keySize * 2, "0")
        : k;
      out[hexKey] = Buffer.from(this.elems.get(k)!.bytes).toString("hex");
    }
    return out;
  }
}
