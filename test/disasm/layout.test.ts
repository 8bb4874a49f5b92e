// Listing layout corner cases, each assembled by llvm-mc-19 and compared with llvm-objdump-19
// (-d, -d -r, --no-print-imm-hex): label choice when symbols share an address, labels inside an
// instruction, zero runs (`...`) and their interaction with relocations, branch notes before
// the section start, sections without symbols, empty code sections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { disassemble } from "../../src/disasm/objdump.js";
import { readElf } from "../../src/elf/reader.js";
import {
  haveTool,
  LLVM_MC,
  LLVM_OBJDUMP,
  llvmAssemble,
  llvmObjdump,
  tempDir,
} from "../isa/tools.js";

const tools = haveTool(LLVM_MC) && haveTool(LLVM_OBJDUMP);

const SOURCES: Record<string, string> = {
  sameAddress: `
	.text
zz:
aa:
	exit
	.globl bb
	.type bb,@function
yy:
bb:
	exit
	.type cc,@function
	.globl xx
xx:
cc:
	exit
	.type dd,@object
dd:
ee:
	exit
	.globl gl
gl:
	.type ff,@function
ff:
	exit
	goto +0x1
	goto -0x4
	goto -0x10
	gotol -0x20
	may_goto -0x7
`,
  overlapAndZeros: `
f:
.byte 0x18,1,0,0,5,0,0,0
mid:
.byte 0,0,0,0,1,0,0,0
	exit
.byte 0,0,0,0,0,0,0,0,0,0,0,0
	exit
.byte 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
	r1 = g ll
.byte 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
after:
.byte 0,0,0,0,0,0,0,0,0,0
`,
  sections: `
	.section empty,"ax",@progbits
	.section sec3,"ax",@progbits
	exit
	r0 = 1
	.text
	.globl f1
	.type f1,@function
f1:
	r0 = 0
	goto LBB0_2
LBB0_1:
	r0 += 1
LBB0_2:
	if r0 < 10 goto LBB0_1
	call f2
	call ext
	r1 = g ll
	r2 = ext ll
	exit
	.section sec2,"ax",@progbits
	.globl f2
	.type f2,@function
f2:
alias:
	r0 = 1
	exit
lab:
	exit
	.data
g:	.long 3
`,
};

test(
  "layout corner cases equal llvm-objdump-19",
  { skip: !tools && "llvm-mc-19/llvm-objdump-19 not installed" },
  () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const [name, src] of Object.entries(SOURCES)) {
        const asm = llvmAssemble(dir, src, name);
        assert.ok(asm.obj, asm.stderr);
        const read = readElf(asm.obj, asm.path);
        assert.ok(read.object, JSON.stringify(read.diagnostics));
        for (const [args, relocs, hexImm] of [
          [["-d"], false, true],
          [["-d", "-r"], true, true],
          [["-d", "-r", "--no-print-imm-hex"], true, false],
        ] as const) {
          const theirs = llvmObjdump(asm.path, [...args]);
          const ours = disassemble(read.object, { relocs, hexImm, fileName: asm.path });
          assert.equal(ours, theirs, `${name} ${args.join(" ")}`);
        }
      }
    } finally {
      cleanup();
    }
  },
);
