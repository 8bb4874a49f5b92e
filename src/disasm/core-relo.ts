// CO-RE relocation notes for `disasm -r`: llvm-objdump-19 prints each `.BTF.ext` CO-RE
// record as `CO-RE <kind> [type id] <type>::<access path> (<access string>)` after the
// instruction it patches. The wording of every case (including the error forms) follows
// llvm-objdump-19's output; docs/disasm.md lists the rules.
import { type BtfType, decodeBtf, skipModsAndTypedefs } from "../elf/btf.js";
import type { ObjFile } from "../elf/types.js";

const KIND_NAMES = [
  "byte_off",
  "byte_sz",
  "field_exists",
  "signed",
  "lshift_u64",
  "rshift_u64",
  "local_type_id",
  "target_type_id",
  "type_exists",
  "type_size",
  "enumval_exists",
  "enumval_value",
  "type_matches",
];

type Group = "field" | "type" | "enumval" | "unknown";

function groupOf(kind: number): Group {
  if (kind <= 5) return "field";
  if (kind <= 9 || kind === 12) return "type";
  if (kind <= 11) return "enumval";
  return "unknown";
}

interface CoreRecord {
  insnOff: number;
  typeId: number;
  access: string;
  kind: number;
}

/** Per code section name: instruction byte offset → note text (without the `CO-RE ` prefix). */
export type CoreNotes = Map<string, Map<number, string>>;

/**
 * The CO-RE notes of an object, or undefined when it lacks `.BTF` or `.BTF.ext` (then
 * llvm-objdump prints none). Malformed input yields fewer notes, never an exception.
 */
export function coreRelocationNotes(obj: ObjFile): CoreNotes | undefined {
  const btfSec = obj.sections.find((s) => s.name === ".BTF");
  const extSec = obj.sections.find((s) => s.name === ".BTF.ext");
  if (!btfSec || !extSec) return undefined;
  const btf = decodeBtf(btfSec.data);
  const notes: CoreNotes = new Map();
  for (const [section, records] of readCoreRecords(extSec.data, btf.stringAt)) {
    const bySection = new Map<number, string>();
    // llvm looks records up by offset in a sorted list and takes the first at that offset.
    for (const r of [...records].sort((a, b) => a.insnOff - b.insnOff)) {
      if (!bySection.has(r.insnOff)) bySection.set(r.insnOff, describe(r, btf.types));
    }
    notes.set(section, bySection);
  }
  return notes;
}

function readCoreRecords(
  bytes: Uint8Array,
  stringAt: (off: number) => string | undefined,
): Map<string, CoreRecord[]> {
  const out = new Map<string, CoreRecord[]>();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => (at + 4 <= bytes.length ? v.getUint32(at, true) : undefined);
  if (bytes.length < 8 || v.getUint16(0, true) !== 0xeb9f) return out;
  const hdrLen = u32(4)!;
  // The CO-RE subsection fields exist only in headers of at least 32 bytes.
  if (hdrLen < 32) return out;
  const off = u32(24);
  const len = u32(28);
  if (off === undefined || len === undefined || len === 0) return out;
  const start = hdrLen + off;
  const end = start + len;
  if (end > bytes.length) return out;
  const recSize = u32(start);
  if (recSize === undefined || recSize < 16) return out;
  let at = start + 4;
  while (at + 8 <= end) {
    const name = stringAt(u32(at)!) ?? "";
    const count = u32(at + 4)!;
    at += 8;
    if (at + count * recSize > end) break;
    const list = out.get(name) ?? [];
    for (let i = 0; i < count; i++, at += recSize) {
      list.push({
        insnOff: u32(at)!,
        typeId: u32(at + 4)!,
        access: stringAt(u32(at + 8)!) ?? "",
        kind: u32(at + 12)!,
      });
    }
    out.set(name, list);
  }
  return out;
}

type Named = { name: string };
const hasName = (t: BtfType): t is BtfType & Named => "name" in t;

function isMod(t: BtfType): boolean {
  return (
    t.kind === "const" || t.kind === "volatile" || t.kind === "restrict" || t.kind === "type_tag"
  );
}

const orAnon = (name: string, idx: number) => (name === "" ? `<anon ${idx}>` : name);

function describe(r: CoreRecord, types: BtfType[]): string {
  const kindText = `<${KIND_NAMES[r.kind] ?? `reloc kind #${r.kind}`}>`;
  const fail = (msg: string) => `${kindText} [${r.typeId}] '${r.access}' <${msg}>`;

  const spec: number[] = [];
  if (r.access !== "") {
    for (const part of r.access.split(":")) {
      if (!/^[0-9]+$/.test(part)) {
        // [^] rather than . so a damaged string's newline is a delimiter too
        const bad = /^[0-9]+([^])/.exec(part);
        return !bad
          ? fail("spec string is not a number")
          : fail(`unexpected spec string delimiter: '${bad[1]}'`);
      }
      spec.push(Number(part));
    }
  }

  let out = kindText;
  let curId = r.typeId;
  let type = types[curId];
  if (!type) return fail(`unknown type id: ${curId}`);
  out += ` [${curId}]`;
  for (let chain = 0; isMod(type); chain++) {
    if (chain >= 32) return fail("modifiers chain is too long");
    out += type.kind === "type_tag" ? ` type_tag("${(type as Named).name}")` : ` ${type.kind}`;
    type = (type as { type: BtfType }).type;
    curId = types.indexOf(type);
  }
  if (curId === 0 || type.kind === "void") {
    out += " void";
  } else {
    const prefix =
      type.kind === "typedef" || type.kind === "struct" || type.kind === "union"
        ? ` ${type.kind}`
        : type.kind === "enum" || type.kind === "enum64"
          ? " enum"
          : type.kind === "fwd"
            ? type.union
              ? " fwd union"
              : " fwd struct"
            : "";
    out += `${prefix} ${orAnon(hasName(type) ? type.name : "", curId)}`;
  }

  const group = groupOf(r.kind);
  if (group === "type") {
    if (spec.length !== 1 || spec[0] !== 0)
      return fail("unexpected type-based relocation spec: should be '0'");
    return out;
  }
  out += "::";
  if (group === "enumval") {
    const t = skipModsAndTypedefs(type);
    if (spec.length !== 1) return fail("unexpected enumval relocation spec size");
    const idx = spec[0]!;
    if (t.kind !== "enum" && t.kind !== "enum64")
      return fail(`unexpected type kind for enum relocation: ${btfKindNumber(t)}`);
    const e = t.values[idx];
    if (!e) return fail(`bad value index: ${idx}`);
    // llvm widens a 32-bit enum value as signed, then prints it as signed or unsigned 64-bit.
    const raw = t.kind === "enum" ? BigInt(Number(e.value) | 0) : BigInt(e.value);
    const val = t.signed ? BigInt.asIntN(64, raw) : BigInt.asUintN(64, raw);
    return `${out}${orAnon(e.name, idx)} = ${val}`;
  }
  if (group === "field") {
    if (spec.length < 1) return fail("field spec too short");
    if (spec[0] !== 0) out += `[${spec[0]}]`;
    let t: BtfType = type;
    for (let i = 1; i < spec.length; i++) {
      t = skipModsAndTypedefs(t);
      const idx = spec[i]!;
      if (t.kind === "struct" || t.kind === "union") {
        const m = t.members[idx];
        if (!m) return fail(`member index ${idx} for spec sub-string ${i} is out of range`);
        if (i !== 1 || spec[0] !== 0) out += ".";
        out += orAnon(m.name, idx);
        t = m.type;
      } else if (t.kind === "array") {
        out += `[${idx}]`;
        t = t.type;
      } else {
        return fail(`unexpected type kind ${btfKindNumber(t)} for spec sub-string ${i}`);
      }
    }
    return `${out} (${r.access})`;
  }
  return fail(`unknown relocation kind: ${r.kind}`);
}

const KIND_NUMBERS: Record<BtfType["kind"], number> = {
  void: 0,
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
};

function btfKindNumber(t: BtfType): number {
  return KIND_NUMBERS[t.kind];
}
