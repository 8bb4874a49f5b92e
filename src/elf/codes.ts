// Diagnostic codes of the ELF / BTF layer (block E5000–E5999, see src/diagnostics/codes.ts).
//   E50xx  ELF reading          E51xx  ELF writing (invalid object model)
//   E52xx  BTF decoding/encoding  E53xx  BTF.ext decoding/encoding

export const ElfCodes = {
  // --- reading an ELF file
  truncated: "E5001",
  badMagic: "E5002",
  badClass: "E5003",
  badEndian: "E5004",
  badMachine: "E5005",
  badType: "E5006",
  badHeader: "E5007",
  sectionOutOfRange: "E5008",
  sectionsOverlap: "E5009",
  badStringIndex: "E5010",
  badSymbolTable: "E5011",
  badSymbolIndex: "E5012",
  badSectionIndex: "E5013",
  badRelocationSection: "E5014",
  duplicateSectionName: "E5015",
  unsupportedSection: "E5016",
  hugeSize: "E5017",
  unrepresentableSymbol: "E5018",
  badAddrsig: "E5019",
  symbolOutOfRange: "E5020",
  // --- writing an ELF file from an ObjFile
  writerUnknownSymbol: "E5101",
  writerUnknownSection: "E5102",
  writerReservedSection: "E5103",
  writerDuplicateSection: "E5104",
  writerBadValue: "E5105",
  writerTooManySections: "E5106",
  // --- BTF
  btfTruncated: "E5201",
  btfBadHeader: "E5202",
  btfBadString: "E5203",
  btfBadKind: "E5204",
  btfBadTypeId: "E5205",
  btfUnknownType: "E5206",
  btfBadValue: "E5207",
  // --- BTF.ext
  btfExtTruncated: "E5301",
  btfExtBadHeader: "E5302",
  btfExtBadRecordSize: "E5303",
  btfExtBadString: "E5304",
  btfExtEmpty: "E5305",
  btfExtBadValue: "E5306",
} as const;

export type ElfCode = (typeof ElfCodes)[keyof typeof ElfCodes];
