// Types for the parts of elfy 1.0 the reader uses (the package ships none).
declare module "elfy" {
  interface ElfySection {
    name: string;
    type: string | number;
    flags: Record<string, boolean>;
    addr: number;
    off: number;
    size: number;
    link: number;
    info: number;
    /** Read from the wrong offset for ELF64 by elfy 1.0; do not use. */
    addralign: number;
    /** Read from the wrong offset for ELF64 by elfy 1.0; do not use. */
    entsize: number;
    data: Buffer;
  }
  interface ElfyFile {
    class: string;
    endian: string;
    type: string | undefined;
    machine: string | undefined;
    shoff: number;
    shnum: number;
    shentsize: number;
    shstrndx: number;
    body: { programs: unknown[]; sections: ElfySection[] };
  }
  const elfy: { parse(buf: Buffer): ElfyFile };
  export default elfy;
}
