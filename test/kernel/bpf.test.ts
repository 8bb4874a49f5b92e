// The bpf() syscall layer: attr layouts checked by round trips through the kernel.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BPF_F_RDONLY_PROG,
  BPF_F_SLEEPABLE,
  BpfError,
  BpfMapType,
  BpfProgType,
  btfLoad,
  closeFd,
  mapCreate,
  mapFreeze,
  mapLookup,
  mapUpdate,
  progLoad,
  progTestRun,
} from "../../src/kernel/bpf.js";
import { btfIntType, encodeBtf } from "../../src/elf/btf.js";
import { asm, EXIT, I, MOV64_IMM, needKernel, STW } from "./helpers.js";

test("array map: update, lookup, missing key, freeze", (t) => {
  if (!needKernel(t)) return;
  const fd = mapCreate({
    type: BpfMapType.ARRAY,
    keySize: 4,
    valueSize: 8,
    maxEntries: 2,
    name: "t-map",
  });
  try {
    const k1 = Uint8Array.of(1, 0, 0, 0);
    mapUpdate(fd, k1, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    assert.deepEqual(mapLookup(fd, k1, 8), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    assert.deepEqual(mapLookup(fd, Uint8Array.of(0, 0, 0, 0), 8), new Uint8Array(8));
    assert.equal(
      mapLookup(fd, Uint8Array.of(5, 0, 0, 0), 8),
      undefined,
      "key beyond max_entries is ENOENT",
    );
    mapFreeze(fd);
    assert.throws(
      () => mapUpdate(fd, k1, new Uint8Array(8)),
      (e: unknown) => e instanceof BpfError && e.errno === 1,
    );
  } finally {
    closeFd(fd);
  }
  const ro = mapCreate({
    type: BpfMapType.ARRAY,
    keySize: 4,
    valueSize: 4,
    maxEntries: 1,
    flags: BPF_F_RDONLY_PROG,
  });
  closeFd(ro);
  assert.ok(ro >= 0);
});

test("prog load: SYSCALL program, log and processed count; test run writes ctx back", (t) => {
  if (!needKernel(t)) return;
  // *(u32 *)(r1 + 8) = 7; r0 = 42; exit
  const insns = asm(I(STW, 1, 0, 8, 7), I(MOV64_IMM, 0, 0, 0, 42), I(EXIT));
  const r = progLoad({
    type: BpfProgType.SYSCALL,
    insns,
    license: "GPL",
    flags: BPF_F_SLEEPABLE,
    logLevel: 1,
    name: "t",
  });
  assert.ok(r.fd >= 0, r.log);
  try {
    assert.match(r.log, /processed 3 insns/);
    const ran = progTestRun({ progFd: r.fd, ctxIn: new Uint8Array(16) });
    assert.equal(ran.retval, 42);
    assert.deepEqual(ran.ctxIn, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0));
  } finally {
    closeFd(r.fd);
  }
});

test("prog load failure returns errno and the log (exit without r0 set)", (t) => {
  if (!needKernel(t)) return;
  const r = progLoad({
    type: BpfProgType.SYSCALL,
    insns: asm(I(EXIT)),
    license: "GPL",
    flags: BPF_F_SLEEPABLE,
    logLevel: 1,
  });
  assert.equal(r.fd, -1);
  assert.equal(r.errno, 13); // EACCES: verifier rejection
  assert.match(r.log, /R0 !read_ok/);
  // Malformed code (truncated ld_imm64 / bad opcode) is EINVAL.
  const bad = progLoad({
    type: BpfProgType.SYSCALL,
    insns: asm(I(0xff), I(EXIT)),
    license: "GPL",
    flags: BPF_F_SLEEPABLE,
    logLevel: 1,
  });
  assert.equal(bad.fd, -1);
  assert.equal(bad.errno, 22);
});

test("BTF load: a one-type BTF blob is accepted, garbage is rejected with a log", (t) => {
  if (!needKernel(t)) return;
  const good = btfLoad(encodeBtf([btfIntType("int", 4, true)]));
  assert.ok(good.fd >= 0, good.log);
  closeFd(good.fd);
  const bad = btfLoad(
    Uint8Array.of(0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  );
  assert.equal(bad.fd, -1);
  assert.equal(bad.errno, 22);
  assert.notEqual(bad.log, "");
});
