// The assembler's diagnostic codes (block E4000–E4999, see src/diagnostics/codes.ts).
// docs/asm.md lists them with examples; this table is the one place the numbers are fixed.

export const AsmCodes = {
  unknownDirective: "E4001",
  badInstruction: "E4002",
  syntax: "E4003",
  undefinedSymbol: "E4004",
  duplicateSymbol: "E4005",
  outOfRange: "E4006",
  badSectionFlags: "E4007",
  badSectionType: "E4008",
  notConstant: "E4009",
  crossSectionBranch: "E4010",
  branchOutOfRange: "E4011",
  badString: "E4012",
  nobitsData: "E4013",
  badRelocation: "E4014",
  badAlignment: "E4015",
  unterminatedComment: "E4016",
  misalignedTarget: "E4017",
  layoutDiverged: "E4018",
  reservedSection: "E4019",
  tooManyErrors: "E4020",
  writerFailed: "E4099",
} as const;

export type AsmCode = (typeof AsmCodes)[keyof typeof AsmCodes];
