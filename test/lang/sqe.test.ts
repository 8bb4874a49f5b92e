// Invariants of the SQE/opcode fact table (src/targets/sqe.ts) and an independent check of
// its numbers against abi.md's lists, restated here.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  COMMON_FIELDS,
  CQE_FIELDS,
  CQE_FLAGS,
  CQE_SIZE,
  IOSQE_FLAGS,
  IO_URING_PARAMS,
  OPCODES,
  SQE_FIELDS,
  SQE_SIZE,
  SQE_SLOTS,
  SUBMIT_OPS,
  fieldRange,
  fieldsOverlap,
  iosqeByte,
  iosqeFlag,
  opField,
  opFields,
  opcodeName,
  opcodeNumber,
  sqeField,
  submitOp,
} from "../../src/targets/sqe.js";

// abi.md, "Opcodes (0–64)".
const ABI_OPCODES =
  "0 NOP, 1 READV, 2 WRITEV, 3 FSYNC, 4 READ_FIXED, 5 WRITE_FIXED, 6 POLL_ADD, 7 POLL_REMOVE, 8 SYNC_FILE_RANGE, 9 SENDMSG, 10 RECVMSG, 11 TIMEOUT, 12 TIMEOUT_REMOVE, 13 ACCEPT, 14 ASYNC_CANCEL, 15 LINK_TIMEOUT, 16 CONNECT, 17 FALLOCATE, 18 OPENAT, 19 CLOSE, 20 FILES_UPDATE, 21 STATX, 22 READ, 23 WRITE, 24 FADVISE, 25 MADVISE, 26 SEND, 27 RECV, 28 OPENAT2, 29 EPOLL_CTL, 30 SPLICE, 31 PROVIDE_BUFFERS, 32 REMOVE_BUFFERS, 33 TEE, 34 SHUTDOWN, 35 RENAMEAT, 36 UNLINKAT, 37 MKDIRAT, 38 SYMLINKAT, 39 LINKAT, 40 MSG_RING, 41 FSETXATTR, 42 SETXATTR, 43 FGETXATTR, 44 GETXATTR, 45 SOCKET, 46 URING_CMD, 47 SEND_ZC, 48 SENDMSG_ZC, 49 READ_MULTISHOT, 50 WAITID, 51 FUTEX_WAIT, 52 FUTEX_WAKE, 53 FUTEX_WAITV, 54 FIXED_FD_INSTALL, 55 FTRUNCATE, 56 BIND, 57 LISTEN, 58 RECV_ZC, 59 EPOLL_WAIT, 60 READV_FIXED, 61 WRITEV_FIXED, 62 PIPE, 63 NOP128, 64 URING_CMD128";

// language.md, "Named ops cover at least".
const LANGUAGE_OPS =
  "nop read write readv writev readFixed writeFixed fsync pollAdd pollRemove timeout linkTimeout cancel accept connect send recv sendmsg recvmsg openat close statx shutdown socket".split(
    " ",
  );

test("opcode numbers match abi.md", () => {
  const pairs = ABI_OPCODES.split(", ").map((p) => p.split(" ") as [string, string]);
  assert.equal(OPCODES.length, 65);
  assert.equal(pairs.length, 65);
  for (const [n, name] of pairs) {
    assert.equal(opcodeName(Number(n)), name, `opcode ${n}`);
    assert.equal(opcodeNumber(name), Number(n));
    assert.equal(opcodeNumber(`IORING_OP_${name}`), Number(n));
  }
  assert.equal(opcodeName(65), undefined);
  assert.equal(opcodeName(-1), undefined);
  assert.equal(opcodeNumber("BPF"), undefined);
});

test("SQE fields lie inside 64 bytes, inside their slot, naturally aligned, uniquely named", () => {
  assert.equal(SQE_SIZE, 64);
  const names = new Set<string>();
  for (const f of SQE_FIELDS) {
    assert.ok(!names.has(f.name), `duplicate field ${f.name}`);
    names.add(f.name);
    assert.equal(f.offset % f.size, 0, `${f.name} misaligned`);
    const slot = SQE_SLOTS[f.slot];
    assert.ok(
      f.offset >= slot.offset && f.offset + f.size <= slot.offset + slot.size,
      `${f.name} outside slot ${f.slot}`,
    );
    assert.match(f.name, /^[a-z][A-Za-z0-9]*$/);
    assert.ok(f.doc.length > 10, `${f.name} lacks a doc`);
  }
  // The slots tile the SQE exactly.
  const slots = Object.values(SQE_SLOTS).sort((a, b) => a.offset - b.offset);
  let at = 0;
  for (const s of slots) {
    assert.equal(s.offset, at);
    at += s.size;
  }
  assert.equal(at, SQE_SIZE);
});

test("abi.md layout facts", () => {
  const at = (n: string) => {
    const f = sqeField(n);
    assert.ok(f, n);
    return [f.offset, f.size, f.signed];
  };
  assert.deepEqual(at("opcode"), [0, 1, false]);
  assert.deepEqual(at("ioprio"), [2, 2, false]);
  assert.deepEqual(at("fd"), [4, 4, true]);
  assert.deepEqual(at("off"), [8, 8, false]);
  assert.deepEqual(at("addr2"), [8, 8, false]);
  assert.deepEqual(at("addr"), [16, 8, false]);
  assert.deepEqual(at("len"), [24, 4, false]);
  assert.deepEqual(at("rwFlags"), [28, 4, true]);
  assert.deepEqual(at("openFlags"), [28, 4, false]);
  assert.deepEqual(at("userData"), [32, 8, false]);
  assert.deepEqual(at("bufIndex"), [40, 2, false]);
  assert.deepEqual(at("bufGroup"), [40, 2, false]);
  assert.deepEqual(at("personality"), [42, 2, false]);
  assert.deepEqual(at("spliceFdIn"), [44, 4, true]);
  assert.deepEqual(at("fileIndex"), [44, 4, false]);
  assert.deepEqual(at("addr3"), [48, 8, false]);
  assert.deepEqual(at("cq"), [48, 2, false]);
  assert.deepEqual(sqeField("cq")?.targets, ["iouring-v2"]);
  for (const w of [
    "rwFlags",
    "fsyncFlags",
    "pollEvents",
    "timeoutFlags",
    "msgFlags",
    "openFlags",
    "acceptFlags",
    "cancelFlags",
    "statxFlags",
  ]) {
    assert.equal(sqeField(w)?.offset, 28, w);
  }
  assert.equal(sqeField("flags"), undefined, "the flag byte is set through the IOSQE booleans");

  assert.equal(CQE_SIZE, 16);
  assert.deepEqual(
    CQE_FIELDS.map((c) => [c.name, c.offset, c.size, c.signed]),
    [
      ["userData", 0, 8, false],
      ["res", 8, 4, true],
      ["flags", 12, 4, false],
    ],
  );
  assert.deepEqual(
    CQE_FLAGS.map((c) => [c.kernel.replace("IORING_CQE_F_", ""), c.bit]),
    [
      ["BUFFER", 0],
      ["MORE", 1],
      ["SOCK_NONEMPTY", 2],
      ["NOTIF", 3],
      ["BUF_MORE", 4],
      ["SKIP", 5],
    ],
  );
  assert.equal(IO_URING_PARAMS.size, 120);
  assert.equal(IO_URING_PARAMS.fields.sqOff, 40);
  assert.equal(IO_URING_PARAMS.fields.cqOff, 80);
  assert.deepEqual(IO_URING_PARAMS.sqOff, {
    head: 0,
    tail: 4,
    ringMask: 8,
    ringEntries: 12,
    flags: 16,
    dropped: 20,
    array: 24,
  });
  assert.deepEqual(IO_URING_PARAMS.cqOff, {
    head: 0,
    tail: 4,
    ringMask: 8,
    ringEntries: 12,
    overflow: 16,
    cqes: 20,
    flags: 24,
  });
  assert.deepEqual(IO_URING_PARAMS.v2, { nrCq: 28, cqSizes: 32 });
});

test("IOSQE flags are bits 0..6 with the language's names", () => {
  assert.deepEqual(
    IOSQE_FLAGS.map((f) => [f.name, f.bit]),
    [
      ["fixedFile", 0],
      ["drain", 1],
      ["link", 2],
      ["hardlink", 3],
      ["async", 4],
      ["bufferSelect", 5],
      ["cqeSkipSuccess", 6],
    ],
  );
  assert.equal(iosqeByte({}), 0);
  assert.equal(iosqeByte({ fixedFile: true, link: true }), 0b101);
  assert.equal(iosqeByte({ cqeSkipSuccess: true, drain: false }), 0x40);
  assert.equal(iosqeFlag("hardlink")?.kernel, "IOSQE_IO_HARDLINK");
  assert.equal(iosqeFlag("nope"), undefined);
});

test("every op is well-formed", () => {
  const seen = new Set<string>();
  for (const o of SUBMIT_OPS) {
    assert.ok(!seen.has(o.name), `duplicate op ${o.name}`);
    seen.add(o.name);
    assert.equal(OPCODES[o.opcode], o.kernel, o.name);
    assert.ok(o.doc.length > 10);
    const fields = o.fields.map((u) => u.field);
    assert.equal(new Set(fields).size, fields.length, `${o.name} lists a field twice`);
    for (const u of o.fields) {
      const f = sqeField(u.field);
      assert.ok(f, `${o.name}.${u.field} is not an SQE field`);
      assert.notEqual(u.field, "opcode");
      assert.ok(!COMMON_FIELDS.some((c) => c.field === u.field), `${o.name}.${u.field} is common`);
      assert.ok(u.doc.length > 5, `${o.name}.${u.field} lacks a doc`);
    }
    // Two required fields can never share bytes: the program could not give both.
    const required = o.fields.filter((u) => u.required).map((u) => sqeField(u.field)!);
    for (const a of required)
      for (const b of required)
        if (a !== b) assert.ok(!fieldsOverlap(a, b), `${o.name}: ${a.name}/${b.name}`);
    if (o.flagWord) {
      assert.ok(
        fields.includes(o.flagWord),
        `${o.name}: flag word ${o.flagWord} not among its fields`,
      );
      assert.equal(sqeField(o.flagWord)?.slot, "opFlags");
    }
    for (const k of Object.keys(o.fixed ?? {}))
      assert.ok(!fields.includes(k as never), `${o.name}: fixed ${k} is also settable`);
    // Only one op-flag word per op.
    assert.ok(o.fields.filter((u) => sqeField(u.field)?.slot === "opFlags").length <= 1, o.name);
  }
  for (const name of LANGUAGE_OPS) assert.ok(submitOp(name), `language.md op ${name} missing`);
  assert.equal(submitOp("sqe"), undefined, "sqe is the raw form, not a named op");
});

test("op facts taken from the kernel's prep code", () => {
  const use = (op: string, field: string) => opField(submitOp(op)!, field);
  assert.equal(submitOp("read")?.opcode, 22);
  assert.equal(submitOp("read")?.flagWord, "rwFlags");
  assert.equal(use("read", "fd")?.required, true);
  assert.equal(use("read", "addr")?.required, false, "bufferSelect reads have no address");
  assert.equal(use("write", "addr")?.required, true);
  assert.equal(use("readFixed", "bufIndex")?.required, true);
  assert.deepEqual(submitOp("timeout")?.fixed, { len: 1 });
  assert.deepEqual(submitOp("linkTimeout")?.fixed, { len: 1 });
  assert.equal(use("timeout", "len"), undefined);
  assert.equal(use("statx", "addr2")?.required, true, "statx's buffer is read from addr2");
  assert.equal(use("connect", "addr2")?.required, true, "connect's addrlen is read from addr2");
  assert.equal(use("accept", "addr2")?.required, false);
  assert.equal(submitOp("socket")?.flagWord, null, "the kernel rejects rw_flags on socket");
  assert.equal(use("socket", "off")?.required, true);
  assert.deepEqual(submitOp("close")?.rejectedFlags, ["fixedFile"]);
  assert.deepEqual(submitOp("readMultishot")?.impliedFlags, ["bufferSelect"]);
  assert.equal(submitOp("cancel")?.flagWord, "cancelFlags");
  assert.equal(submitOp("openat")?.flagWord, "openFlags");
  assert.equal(submitOp("pollAdd")?.flagWord, "pollEvents");
  assert.equal(use("read", "pollEvents"), undefined);
  // Common fields reach every op.
  for (const o of SUBMIT_OPS) {
    for (const c of ["userData", "personality", "cq"]) assert.ok(opField(o, c), `${o.name}.${c}`);
    assert.equal(opFields(o).length, o.fields.length + COMMON_FIELDS.length);
  }
});

test("overlap and range helpers", () => {
  const f = (n: string) => sqeField(n)!;
  assert.equal(fieldsOverlap(f("off"), f("addr2")), true);
  assert.equal(fieldsOverlap(f("cq"), f("addr3")), true);
  assert.equal(fieldsOverlap(f("bufIndex"), f("bufGroup")), true);
  assert.equal(fieldsOverlap(f("level"), f("optname")), false);
  assert.equal(fieldsOverlap(f("fd"), f("off")), false);
  assert.equal(fieldsOverlap(f("cmdOp"), f("off")), true);
  assert.deepEqual(fieldRange({ size: 1, signed: false }), { min: 0n, max: 255n });
  assert.deepEqual(fieldRange(f("fd")), { min: -2147483648n, max: 2147483647n });
  assert.deepEqual(fieldRange(f("userData")), { min: 0n, max: 0xffffffffffffffffn });
  assert.deepEqual(fieldRange(f("personality")), { min: 0n, max: 65535n });
});
