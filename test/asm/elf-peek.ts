// A minimal, independent ELF64 reader for tests: section contents and relocations by
// symbol name, so comparisons with clang's objects do not depend on src/elf's reader.

export interface PeekSection {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  link: number;
  info: number;
}

export interface PeekReloc {
  offset: number;
  type: number;
  symbol: string;
}

export interface PeekSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  section: string;
}

export interface Peek {
  sections: PeekSection[];
  symbols: PeekSymbol[];
  /** Relocations by target section name. */
  relocs: Map<string, PeekReloc[]>;
}

export function peekElf(bytes: Uint8Array): Peek {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const raw: {
    nameOff: number;
    type: number;
    flags: number;
    offset: number;
    size: number;
    link: number;
    info: number;
  }[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOff: v.getUint32(o, true),
      type: v.getUint32(o + 4, true),
      flags: Number(v.getBigUint64(o + 8, true)),
      offset: Number(v.getBigUint64(o + 0x18, true)),
      size: Number(v.getBigUint64(o + 0x20, true)),
      link: v.getUint32(o + 0x28, true),
      info: v.getUint32(o + 0x2c, true),
    });
  }
  const str = (sec: number, off: number): string => {
    const base = raw[sec]!.offset + off;
    let end = base;
    while (bytes[end] !== 0) end++;
    return Buffer.from(bytes.subarray(base, end)).toString("utf8");
  };
  const sections: PeekSection[] = raw.map((r) => ({
    name: str(shstrndx, r.nameOff),
    type: r.type,
    flags: r.flags,
    data: r.type === 8 ? new Uint8Array(0) : bytes.subarray(r.offset, r.offset + r.size),
    link: r.link,
    info: r.info,
  }));
  const symtabIdx = sections.findIndex((s) => s.type === 2);
  const symbols: PeekSymbol[] = [];
  const symNames: string[] = [];
  if (symtabIdx >= 0) {
    const st = raw[symtabIdx]!;
    for (let o = st.offset; o < st.offset + st.size; o += 24) {
      const info = bytes[o + 4]!;
      const shndx = v.getUint16(o + 6, true);
      const type = info & 0xf;
      let name = str(st.link, v.getUint32(o, true));
      if (type === 3) name = sections[shndx]!.name;
      symNames.push(name);
      symbols.push({
        name,
        value: Number(v.getBigUint64(o + 8, true)),
        size: Number(v.getBigUint64(o + 16, true)),
        type,
        bind: info >> 4,
        section:
          shndx === 0
            ? "UND"
            : shndx >= 0xff00
              ? `ABS${shndx.toString(16)}`
              : sections[shndx]!.name,
      });
    }
  }
  const relocs = new Map<string, PeekReloc[]>();
  sections.forEach((s, i) => {
    if (s.type !== 9) return;
    const list: PeekReloc[] = [];
    const r = raw[i]!;
    for (let o = r.offset; o < r.offset + r.size; o += 16) {
      const info = v.getBigUint64(o + 8, true);
      list.push({
        offset: Number(v.getBigUint64(o, true)),
        type: Number(info & 0xffffffffn),
        symbol: symNames[Number(info >> 32n)] ?? "?",
      });
    }
    relocs.set(sections[s.info]!.name, list);
  });
  return { sections, symbols, relocs };
}
