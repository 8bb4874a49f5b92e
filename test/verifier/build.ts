// Builds verifier test objects from assembly text: the program body goes into one program
// section (as a sized global function `prog`), maps get a `.maps` slot and BTF definitions
// (so both our verifier and the kernel oracle can read them), plus a license section.
import { assemble } from "../../src/asm/index.js";
import {
  assignBtfIds,
  btfDatasec,
  btfMapDef,
  btfTypesInIdOrder,
  encodeBtf,
} from "../../src/elf/btf.js";
import { SHT, type ObjFile } from "../../src/elf/types.js";

export interface MapSpec {
  name: string;
  type: "hash" | "array" | "ringbuf";
  key?: number;
  value?: number;
  entries?: number;
  flags?: number;
}

export interface BuildOptions {
  section?: string;
  maps?: MapSpec[];
  license?: string;
  /** Raw assembly appended after the program (data sections, `.text` subprograms). */
  extra?: string;
}

const MAP_TYPE = { hash: 1, array: 2, ringbuf: 27 } as const;

export function programAsm(body: string, o: BuildOptions = {}): string {
  const section = o.section ?? "iouring.s/prog";
  const lines = [
    `\t.section "${section}","ax"`,
    `\t.globl prog`,
    `\t.type prog,@function`,
    `prog:`,
    body,
    `.Lprog_end:`,
    `\t.size prog, .Lprog_end-prog`,
  ];
  if (o.maps?.length) {
    lines.push(`\t.section .maps,"aw"`);
    for (const m of o.maps) lines.push(`\t.globl ${m.name}`, `${m.name}:`, `\t.zero 48`);
  }
  if (o.extra) lines.push(o.extra);
  lines.push(`\t.section "license","aw"`, `\t.asciz "${o.license ?? "GPL"}"`);
  return lines.join("\n") + "\n";
}

/** The object, or the assembler's first error message. */
export function buildObject(body: string, o: BuildOptions = {}): ObjFile | string {
  const a = assemble(programAsm(body, o), "case.s");
  const err = a.diagnostics.find((d) => d.severity === "error");
  if (err || !a.object) return `assembly failed: ${err?.message ?? "no object"}`;
  const obj = a.object;
  if (o.maps?.length) {
    const vars = o.maps.map((m, i) => {
      const def = btfMapDef({
        name: m.name,
        type: MAP_TYPE[m.type],
        maxEntries: m.entries ?? (m.type === "ringbuf" ? 4096 : 4),
        ...(m.type !== "ringbuf" ? { keySize: m.key ?? 4, valueSize: m.value ?? 8 } : {}),
        ...(m.flags ? { mapFlags: m.flags } : {}),
      });
      return { var: def.var, offset: i * 48, size: def.size };
    });
    const ds = btfDatasec(".maps", vars);
    const bytes = encodeBtf(btfTypesInIdOrder(assignBtfIds([ds])));
    obj.sections.push({ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: bytes, addralign: 4 });
  }
  return obj;
}
