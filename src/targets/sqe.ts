// The shared io_uring ring ABI (abi.md "Shared ring ABI"): SQE and CQE layouts, IOSQE and CQE
// flag bits, opcode numbers, and which SQE fields each `submit.<op>` of ioubpf/lang uses.
// This is the one source of truth for those facts: the checker validates `submit.*` calls
// against it, code generation lays SQEs out from it, and scripts/gen-lang.ts generates the
// per-op part of lang/index.d.ts from it. Field usage per op follows what the kernel's prep
// functions read (cross-checked with liburing's io_uring_prep_* helpers); docs are ours.
// Target-specific restrictions (opcode range, `cq`) are data here and enforced by the checker.

/** Size in bytes of one submission queue entry. */
export const SQE_SIZE = 64;
/** Size in bytes of one completion queue entry (without IORING_SETUP_CQE32). */
export const CQE_SIZE = 16;
/** Byte offset of the IOSQE flag byte; programs set it through the boolean options. */
export const SQE_FLAGS_OFFSET = 1;

export type FieldSize = 1 | 2 | 4 | 8;

/** One named member of `struct io_uring_sqe` as a program writes it. */
export interface SqeField {
  /** camelCase name used in `submit.<op>({ … })`. */
  readonly name: string;
  /** The member's name in the kernel's `struct io_uring_sqe`. */
  readonly kernel: string;
  readonly offset: number;
  readonly size: FieldSize;
  readonly signed: boolean;
  /** The union slot (named after its first member) whose bytes this field shares. */
  readonly slot: SqeSlot;
  /** One line, op-independent. */
  readonly doc: string;
  /** Only these targets accept the field (absent: every target). */
  readonly targets?: readonly string[];
}

/** The SQE's unions, by the byte range they cover. Members of one slot overlap. */
export const SQE_SLOTS = {
  opcode: { offset: 0, size: 1 },
  flags: { offset: 1, size: 1 },
  ioprio: { offset: 2, size: 2 },
  fd: { offset: 4, size: 4 },
  off: { offset: 8, size: 8 },
  addr: { offset: 16, size: 8 },
  len: { offset: 24, size: 4 },
  opFlags: { offset: 28, size: 4 },
  userData: { offset: 32, size: 8 },
  bufIndex: { offset: 40, size: 2 },
  personality: { offset: 42, size: 2 },
  spliceFdIn: { offset: 44, size: 4 },
  addr3: { offset: 48, size: 8 },
  pad2: { offset: 56, size: 8 },
} as const;
export type SqeSlot = keyof typeof SQE_SLOTS;

function f<N extends string>(
  name: N,
  kernel: string,
  slot: SqeSlot,
  offset: number,
  size: FieldSize,
  signed: boolean,
  doc: string,
  targets?: readonly string[],
): SqeField & { readonly name: N } {
  return targets
    ? { name, kernel, offset, size, signed, slot, doc, targets }
    : { name, kernel, offset, size, signed, slot, doc };
}

// Every op-flag word shares the 32-bit slot at 28; which one an op reads is per op.
function opFlag<N extends string>(
  name: N,
  kernel: string,
  doc: string,
  signed = false,
): SqeField & { readonly name: N } {
  return f(name, kernel, "opFlags", 28, 4, signed, doc);
}

/** Every SQE field a program can set, in layout order. `flags` is set through IOSQE_FLAGS. */
export const SQE_FIELDS = [
  f(
    "opcode",
    "opcode",
    "opcode",
    0,
    1,
    false,
    "The operation number (IORING_OP_*); only `submit.sqe` takes it, the named ops set it.",
  ),
  f(
    "ioprio",
    "ioprio",
    "ioprio",
    2,
    2,
    false,
    "I/O priority for reads and writes; a bit set of per-op modifiers for send, recv and accept.",
  ),
  f(
    "fd",
    "fd",
    "fd",
    4,
    4,
    true,
    "The file descriptor the operation works on (a registered-file index when `fixedFile` is set).",
  ),
  f(
    "off",
    "off",
    "off",
    8,
    8,
    false,
    "The file offset, or another 64-bit operand for ops that are not positional.",
  ),
  f(
    "addr2",
    "addr2",
    "off",
    8,
    8,
    false,
    "A second address-sized operand, sharing the bytes of `off`.",
  ),
  f(
    "cmdOp",
    "cmd_op",
    "off",
    8,
    4,
    false,
    "The command number of a passthrough command (IORING_OP_URING_CMD).",
  ),
  f(
    "addr",
    "addr",
    "addr",
    16,
    8,
    false,
    "The main user-space address: a buffer, an iovec array, a path or a struct, per op.",
  ),
  f(
    "spliceOffIn",
    "splice_off_in",
    "addr",
    16,
    8,
    false,
    "The offset in the input file of a splice (all ones: use the file position).",
  ),
  f(
    "level",
    "level",
    "addr",
    16,
    4,
    false,
    "The socket option level (socket passthrough commands).",
  ),
  f(
    "optname",
    "optname",
    "addr",
    20,
    4,
    false,
    "The socket option name (socket passthrough commands).",
  ),
  f(
    "len",
    "len",
    "len",
    24,
    4,
    false,
    "A length or count: bytes for buffers, entries for vectors, or a per-op operand.",
  ),
  opFlag("rwFlags", "rw_flags", "RWF_* flags of a read or write (as for preadv2/pwritev2).", true),
  opFlag("fsyncFlags", "fsync_flags", "IORING_FSYNC_* flags of an fsync."),
  opFlag(
    "pollEvents",
    "poll32_events",
    "The poll event mask (POLLIN, POLLOUT, …) of a poll request.",
  ),
  opFlag("syncRangeFlags", "sync_range_flags", "SYNC_FILE_RANGE_* flags of a sync_file_range."),
  opFlag("msgFlags", "msg_flags", "MSG_* flags of a socket send or receive."),
  opFlag("timeoutFlags", "timeout_flags", "IORING_TIMEOUT_* flags of a timeout."),
  opFlag("acceptFlags", "accept_flags", "SOCK_* flags of the accepted socket (as for accept4)."),
  opFlag(
    "cancelFlags",
    "cancel_flags",
    "IORING_ASYNC_CANCEL_* flags saying how to match requests to cancel.",
  ),
  opFlag("openFlags", "open_flags", "O_* flags of an open."),
  opFlag("statxFlags", "statx_flags", "AT_* flags of a statx."),
  opFlag("fadviseAdvice", "fadvise_advice", "The POSIX_FADV_* or MADV_* advice value."),
  opFlag("spliceFlags", "splice_flags", "SPLICE_F_* flags of a splice or tee."),
  opFlag("renameFlags", "rename_flags", "RENAME_* flags of a rename."),
  opFlag("unlinkFlags", "unlink_flags", "AT_REMOVEDIR or 0 for an unlink."),
  opFlag("hardlinkFlags", "hardlink_flags", "AT_* flags of a link."),
  opFlag("xattrFlags", "xattr_flags", "XATTR_* flags of an extended-attribute call."),
  opFlag("msgRingFlags", "msg_ring_flags", "IORING_MSG_RING_* flags of a ring-to-ring message."),
  opFlag("uringCmdFlags", "uring_cmd_flags", "IORING_URING_CMD_* flags of a passthrough command."),
  opFlag("waitidFlags", "waitid_flags", "Flags of a waitid."),
  opFlag("futexFlags", "futex_flags", "Flags of a futex operation."),
  opFlag("installFdFlags", "install_fd_flags", "IORING_FIXED_FD_* flags of a fixed-file install."),
  opFlag("nopFlags", "nop_flags", "IORING_NOP_* flags of a no-op."),
  opFlag("pipeFlags", "pipe_flags", "O_* flags of a pipe (as for pipe2)."),
  f(
    "userData",
    "user_data",
    "userData",
    32,
    8,
    false,
    "Opaque 64-bit value copied into the request's completion, to tell completions apart.",
  ),
  f(
    "bufIndex",
    "buf_index",
    "bufIndex",
    40,
    2,
    false,
    "The index of a registered buffer (fixed-buffer ops).",
  ),
  f(
    "bufGroup",
    "buf_group",
    "bufIndex",
    40,
    2,
    false,
    "The provided-buffer group to pick a buffer from when `bufferSelect` is set.",
  ),
  f(
    "personality",
    "personality",
    "personality",
    42,
    2,
    false,
    "A registered credentials id to run the request with (0: the submitter's).",
  ),
  f("spliceFdIn", "splice_fd_in", "spliceFdIn", 44, 4, true, "The input file of a splice or tee."),
  f(
    "fileIndex",
    "file_index",
    "spliceFdIn",
    44,
    4,
    false,
    "A registered-file slot, plus one, to install the result into (0: return a normal fd).",
  ),
  f(
    "optlen",
    "optlen",
    "spliceFdIn",
    44,
    4,
    false,
    "The socket option length (socket passthrough commands).",
  ),
  f(
    "addrLen",
    "addr_len",
    "spliceFdIn",
    44,
    2,
    false,
    "The length of the destination address in `addr2` (send to an address).",
  ),
  f("addr3", "addr3", "addr3", 48, 8, false, "A third address-sized operand."),
  f(
    "optval",
    "optval",
    "addr3",
    48,
    8,
    false,
    "The socket option value address (socket passthrough commands).",
  ),
  f("attrPtr", "attr_ptr", "addr3", 48, 8, false, "The address of per-request attributes."),
  f(
    "attrTypeMask",
    "attr_type_mask",
    "pad2",
    56,
    8,
    false,
    "Which attribute types `attrPtr` points at.",
  ),
  f(
    "cq",
    "cq_idx",
    "addr3",
    48,
    2,
    false,
    "The completion queue that receives this request's CQE (0: the main CQ; 1..nr_cq: the extra CQs).",
    ["iouring-v2"],
  ),
] as const satisfies readonly SqeField[];

export type SqeFieldName = (typeof SQE_FIELDS)[number]["name"];

/** An IOSQE_* bit of the SQE's flag byte, exposed to programs as a boolean option. */
export interface IosqeFlag {
  readonly name: string;
  readonly kernel: string;
  readonly bit: number;
  /** The mainline release that introduced it (the 2021 RFC targets are based on 5.12). */
  readonly since: string;
  readonly doc: string;
}

export const IOSQE_FLAGS = [
  {
    name: "fixedFile",
    kernel: "IOSQE_FIXED_FILE",
    bit: 0,
    since: "5.1",
    doc: "`fd` is an index into the ring's registered files, not a normal descriptor.",
  },
  {
    name: "drain",
    kernel: "IOSQE_IO_DRAIN",
    bit: 1,
    since: "5.2",
    doc: "Start only after every earlier request has completed, and hold later ones until this one has.",
  },
  {
    name: "link",
    kernel: "IOSQE_IO_LINK",
    bit: 2,
    since: "5.3",
    doc: "Chain the next request to this one: it starts when this one succeeds; a failure cancels the rest of the chain.",
  },
  {
    name: "hardlink",
    kernel: "IOSQE_IO_HARDLINK",
    bit: 3,
    since: "5.5",
    doc: "Like `link`, but the next request starts even when this one fails.",
  },
  {
    name: "async",
    kernel: "IOSQE_ASYNC",
    bit: 4,
    since: "5.6",
    doc: "Skip the non-blocking first attempt and go straight to the async worker.",
  },
  {
    name: "bufferSelect",
    kernel: "IOSQE_BUFFER_SELECT",
    bit: 5,
    since: "5.7",
    doc: "Let the kernel pick the data buffer from the provided-buffer group `bufGroup`; the CQE names the buffer.",
  },
  {
    name: "cqeSkipSuccess",
    kernel: "IOSQE_CQE_SKIP_SUCCESS",
    bit: 6,
    since: "5.17",
    doc: "Post no completion when the request succeeds; only failures produce a CQE.",
  },
] as const satisfies readonly IosqeFlag[];

export type IosqeName = (typeof IOSQE_FLAGS)[number]["name"];

/** A member of `struct io_uring_cqe` (read-only in programs as `Cqe`). */
export interface CqeField {
  readonly name: string;
  readonly kernel: string;
  readonly offset: number;
  readonly size: FieldSize;
  readonly signed: boolean;
  readonly doc: string;
}

export const CQE_FIELDS = [
  {
    name: "userData",
    kernel: "user_data",
    offset: 0,
    size: 8,
    signed: false,
    doc: "The `userData` of the request that completed (or of the emitted CQE).",
  },
  {
    name: "res",
    kernel: "res",
    offset: 8,
    size: 4,
    signed: true,
    doc: "The result: what the matching system call would return, or a negative errno.",
  },
  {
    name: "flags",
    kernel: "flags",
    offset: 12,
    size: 4,
    signed: false,
    doc: "IORING_CQE_F_* bits; with a selected buffer, its id is in the upper 16 bits.",
  },
] as const satisfies readonly CqeField[];

/** IORING_CQE_F_* bits of `Cqe.flags`. */
export const CQE_FLAGS = [
  {
    name: "buffer",
    kernel: "IORING_CQE_F_BUFFER",
    bit: 0,
    doc: "A provided buffer was used; its id is `flags >> 16`.",
  },
  {
    name: "more",
    kernel: "IORING_CQE_F_MORE",
    bit: 1,
    doc: "The request is multishot and will post further CQEs.",
  },
  {
    name: "sockNonempty",
    kernel: "IORING_CQE_F_SOCK_NONEMPTY",
    bit: 2,
    doc: "The socket still had data queued after this receive.",
  },
  {
    name: "notif",
    kernel: "IORING_CQE_F_NOTIF",
    bit: 3,
    doc: "A zero-copy send notification, not a send result.",
  },
  {
    name: "bufMore",
    kernel: "IORING_CQE_F_BUF_MORE",
    bit: 4,
    doc: "The provided buffer was only partly consumed and will be used again.",
  },
  { name: "skip", kernel: "IORING_CQE_F_SKIP", bit: 5, doc: "A filler entry to be skipped." },
] as const;
/** The selected buffer's id sits in the CQE flags above this bit. */
export const CQE_BUFFER_SHIFT = 16;

/** Mainline opcode numbers 0..64, index = number. */
export const OPCODES = [
  "NOP",
  "READV",
  "WRITEV",
  "FSYNC",
  "READ_FIXED",
  "WRITE_FIXED",
  "POLL_ADD",
  "POLL_REMOVE",
  "SYNC_FILE_RANGE",
  "SENDMSG",
  "RECVMSG",
  "TIMEOUT",
  "TIMEOUT_REMOVE",
  "ACCEPT",
  "ASYNC_CANCEL",
  "LINK_TIMEOUT",
  "CONNECT",
  "FALLOCATE",
  "OPENAT",
  "CLOSE",
  "FILES_UPDATE",
  "STATX",
  "READ",
  "WRITE",
  "FADVISE",
  "MADVISE",
  "SEND",
  "RECV",
  "OPENAT2",
  "EPOLL_CTL",
  "SPLICE",
  "PROVIDE_BUFFERS",
  "REMOVE_BUFFERS",
  "TEE",
  "SHUTDOWN",
  "RENAMEAT",
  "UNLINKAT",
  "MKDIRAT",
  "SYMLINKAT",
  "LINKAT",
  "MSG_RING",
  "FSETXATTR",
  "SETXATTR",
  "FGETXATTR",
  "GETXATTR",
  "SOCKET",
  "URING_CMD",
  "SEND_ZC",
  "SENDMSG_ZC",
  "READ_MULTISHOT",
  "WAITID",
  "FUTEX_WAIT",
  "FUTEX_WAKE",
  "FUTEX_WAITV",
  "FIXED_FD_INSTALL",
  "FTRUNCATE",
  "BIND",
  "LISTEN",
  "RECV_ZC",
  "EPOLL_WAIT",
  "READV_FIXED",
  "WRITEV_FIXED",
  "PIPE",
  "NOP128",
  "URING_CMD128",
] as const;
export type OpcodeName = (typeof OPCODES)[number];
/** One past the highest mainline opcode (IORING_OP_LAST). */
export const OPCODE_LAST = OPCODES.length;

/** How one op uses one field. */
export interface OpFieldUse {
  readonly field: SqeFieldName;
  /** The program must give it (the op is meaningless without it; 0 may still be a valid value). */
  readonly required: boolean;
  /** What the field means for this op. */
  readonly doc: string;
}

/** A named `submit.<op>` of ioubpf/lang. */
export interface SubmitOp {
  readonly name: string;
  readonly opcode: number;
  /** Kernel opcode name without the IORING_OP_ prefix. */
  readonly kernel: OpcodeName;
  readonly doc: string;
  /** Op-specific fields; `COMMON_FIELDS` and the IOSQE booleans come on top. */
  readonly fields: readonly OpFieldUse[];
  /** The name the op gives the op-flag word at offset 28, if it has one. */
  readonly flagWord: SqeFieldName | null;
  /** Fields the compiler writes itself because the kernel requires that value. */
  readonly fixed?: Readonly<Partial<Record<SqeFieldName, number>>>;
  /** IOSQE bits the compiler sets itself because the op only works with them. */
  readonly impliedFlags?: readonly IosqeName[];
  /** IOSQE bits the kernel rejects for this op. */
  readonly rejectedFlags?: readonly IosqeName[];
}

/** Fields every op accepts besides its own (and the IOSQE booleans). */
export const COMMON_FIELDS: readonly OpFieldUse[] = [
  {
    field: "userData",
    required: false,
    doc: "Copied into this request's CQE, to recognise the completion.",
  },
  {
    field: "personality",
    required: false,
    doc: "Registered credentials to run the request with (0: the submitter's).",
  },
  {
    field: "cq",
    required: false,
    doc: "The CQ that receives the completion (`iouring-v2` only; default 0, the main CQ).",
  },
];

const req = (field: SqeFieldName, doc: string): OpFieldUse => ({ field, required: true, doc });
const opt = (field: SqeFieldName, doc: string): OpFieldUse => ({ field, required: false, doc });

// Docs shared by several ops.
const FD_FILE = (what: string): OpFieldUse =>
  req("fd", `The file to ${what} (a registered-file index when \`fixedFile\` is set).`);
const FD_SOCK = (what: string): OpFieldUse =>
  req("fd", `The socket to ${what} (a registered-file index when \`fixedFile\` is set).`);
const OFF_FILE = opt(
  "off",
  "The file offset to start at; all ones (`u64(-1)`) means the current file position.",
);
const RW_FLAGS = opt("rwFlags", "RWF_* flags, as for preadv2/pwritev2 (RWF_NOWAIT, RWF_DSYNC, …).");
const IOPRIO = opt("ioprio", "The I/O priority (IOPRIO_PRIO_VALUE), 0 for the task's own.");
const BUF_GROUP = opt(
  "bufGroup",
  "With `bufferSelect`: the provided-buffer group the kernel picks the buffer from.",
);
const DIR_FD = req(
  "fd",
  "The directory that a relative path is resolved from (AT_FDCWD = -100: the current directory).",
);
const FILE_INDEX = opt(
  "fileIndex",
  "Install the new file into this registered-file slot plus one (0: return a normal fd).",
);
// The send/recv family reads ioprio as IORING_RECVSEND_* bits; which bits each op takes differs.
const netIoprio = (bits: string): OpFieldUse => opt("ioprio", `IORING_RECVSEND_* bits: ${bits}.`);

const op = (
  name: string,
  kernel: OpcodeName,
  doc: string,
  flagWord: SqeFieldName | null,
  fields: readonly OpFieldUse[],
  extra: Pick<SubmitOp, "fixed" | "impliedFlags" | "rejectedFlags"> = {},
): SubmitOp => ({ name, opcode: OPCODES.indexOf(kernel), kernel, doc, fields, flagWord, ...extra });

/** The named ops, in the order of language.md, then the extra ones. */
export const SUBMIT_OPS: readonly SubmitOp[] = [
  op(
    "nop",
    "NOP",
    "Do nothing; completes with res 0. Useful to test the ring or to pace a chain.",
    null,
    [],
  ),
  op(
    "read",
    "READ",
    "Read from a file into a buffer (pread; with an offset of all ones, read).",
    "rwFlags",
    [
      FD_FILE("read from"),
      opt("addr", "The buffer to read into (leave out with `bufferSelect`)."),
      req("len", "How many bytes to read at most."),
      OFF_FILE,
      RW_FLAGS,
      IOPRIO,
      BUF_GROUP,
    ],
  ),
  op(
    "write",
    "WRITE",
    "Write a buffer to a file (pwrite; with an offset of all ones, write).",
    "rwFlags",
    [
      FD_FILE("write to"),
      req("addr", "The buffer holding the bytes to write."),
      req("len", "How many bytes to write."),
      OFF_FILE,
      RW_FLAGS,
      IOPRIO,
    ],
  ),
  op("readv", "READV", "Read from a file into several buffers (preadv2).", "rwFlags", [
    FD_FILE("read from"),
    req("addr", "The address of an array of `struct iovec`."),
    req("len", "How many iovecs the array holds."),
    OFF_FILE,
    RW_FLAGS,
    IOPRIO,
    BUF_GROUP,
  ]),
  op("writev", "WRITEV", "Write several buffers to a file (pwritev2).", "rwFlags", [
    FD_FILE("write to"),
    req("addr", "The address of an array of `struct iovec`."),
    req("len", "How many iovecs the array holds."),
    OFF_FILE,
    RW_FLAGS,
    IOPRIO,
  ]),
  op(
    "readFixed",
    "READ_FIXED",
    "Read into a registered buffer (no page pinning per request).",
    "rwFlags",
    [
      FD_FILE("read from"),
      req("addr", "Where to read to: an address inside the registered buffer `bufIndex`."),
      req("len", "How many bytes to read at most."),
      OFF_FILE,
      req("bufIndex", "The index of the registered buffer that `addr` lies in."),
      RW_FLAGS,
      IOPRIO,
    ],
  ),
  op("writeFixed", "WRITE_FIXED", "Write from a registered buffer.", "rwFlags", [
    FD_FILE("write to"),
    req("addr", "Where the bytes are: an address inside the registered buffer `bufIndex`."),
    req("len", "How many bytes to write."),
    OFF_FILE,
    req("bufIndex", "The index of the registered buffer that `addr` lies in."),
    RW_FLAGS,
    IOPRIO,
  ]),
  op(
    "fsync",
    "FSYNC",
    "Flush a file's data (and metadata unless DATASYNC) to storage.",
    "fsyncFlags",
    [
      FD_FILE("sync"),
      opt("fsyncFlags", "IORING_FSYNC_DATASYNC (1) for fdatasync semantics, 0 for fsync."),
      opt("off", "The start of the range to sync (with `len`; 0 and 0: the whole file)."),
      opt("len", "The length of the range to sync (0: to the end of the file)."),
    ],
  ),
  op(
    "pollAdd",
    "POLL_ADD",
    "Wait until a file is ready (poll); res is the ready event mask.",
    "pollEvents",
    [
      FD_FILE("watch"),
      req("pollEvents", "The events to wait for (POLLIN = 1, POLLOUT = 4, …)."),
      opt(
        "len",
        "IORING_POLL_ADD_* bits; IORING_POLL_ADD_MULTI (1) keeps the poll armed and posts a CQE per event.",
      ),
    ],
  ),
  op(
    "pollRemove",
    "POLL_REMOVE",
    "Cancel, or with update flags modify, a pending poll request.",
    "pollEvents",
    [
      req("addr", "The `userData` of the poll request to remove or update."),
      opt("off", "With IORING_POLL_UPDATE_USER_DATA: the poll request's new `userData`."),
      opt(
        "len",
        "IORING_POLL_UPDATE_EVENTS / _USER_DATA / IORING_POLL_ADD_MULTI bits (0: remove).",
      ),
      opt("pollEvents", "With IORING_POLL_UPDATE_EVENTS: the new event mask."),
    ],
  ),
  op(
    "timeout",
    "TIMEOUT",
    "Complete after a time, or after a number of other completions, whichever is first.",
    "timeoutFlags",
    [
      req(
        "addr",
        "The address of a `struct __kernel_timespec` (64-bit seconds, 64-bit nanoseconds).",
      ),
      opt(
        "off",
        "Complete early once this many other requests have completed (0: only the time counts).",
      ),
      opt(
        "timeoutFlags",
        "IORING_TIMEOUT_ABS (1) for an absolute time, clock selection bits, IORING_TIMEOUT_MULTISHOT, …",
      ),
    ],
    { fixed: { len: 1 } },
  ),
  op(
    "linkTimeout",
    "LINK_TIMEOUT",
    "Bound the request linked before this one: cancel it if it has not completed in time.",
    "timeoutFlags",
    [
      req("addr", "The address of a `struct __kernel_timespec`."),
      opt("timeoutFlags", "IORING_TIMEOUT_ABS (1) and clock selection bits."),
    ],
    { fixed: { len: 1 } },
  ),
  op(
    "cancel",
    "ASYNC_CANCEL",
    "Cancel pending requests that match a `userData` (or an fd, or any, per flags).",
    "cancelFlags",
    [
      opt("addr", "The `userData` of the request to cancel."),
      opt("fd", "With IORING_ASYNC_CANCEL_FD: cancel the requests on this file."),
      opt("cancelFlags", "IORING_ASYNC_CANCEL_ALL (1), _FD (2), _ANY (4), _FD_FIXED (8), …"),
    ],
  ),
  op(
    "accept",
    "ACCEPT",
    "Accept a connection on a listening socket; res is the new socket's fd.",
    "acceptFlags",
    [
      FD_SOCK("accept on"),
      opt("addr", "Where to store the peer's `struct sockaddr` (0: not wanted)."),
      opt(
        "addr2",
        "The address of a `socklen_t` holding the size of `addr`'s buffer; updated to the peer address length.",
      ),
      opt("acceptFlags", "SOCK_NONBLOCK, SOCK_CLOEXEC, as for accept4."),
      opt(
        "ioprio",
        "IORING_ACCEPT_MULTISHOT (1) to keep accepting, IORING_ACCEPT_DONTWAIT, IORING_ACCEPT_POLL_FIRST.",
      ),
      FILE_INDEX,
    ],
  ),
  op("connect", "CONNECT", "Connect a socket to an address.", null, [
    FD_SOCK("connect"),
    req("addr", "The address of the peer's `struct sockaddr`."),
    req("addr2", "The length of that sockaddr in bytes (a value, not a pointer)."),
  ]),
  op("send", "SEND", "Send bytes on a socket (send, or sendto with `addr2`).", "msgFlags", [
    FD_SOCK("send on"),
    opt("addr", "The buffer holding the bytes to send."),
    opt("len", "How many bytes to send."),
    opt("msgFlags", "MSG_* flags (MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE, …)."),
    netIoprio("POLL_FIRST (1); BUNDLE (0x10) with `bufferSelect`"),
    opt("addr2", "For sendto: the address of the destination `struct sockaddr`."),
    opt("addrLen", "For sendto: the length of the destination address."),
    BUF_GROUP,
  ]),
  op(
    "recv",
    "RECV",
    "Receive bytes from a socket; res is the byte count, 0 when the peer closed.",
    "msgFlags",
    [
      FD_SOCK("receive from"),
      opt("addr", "The buffer to receive into (leave out with `bufferSelect`)."),
      opt("len", "How many bytes to receive at most."),
      opt("msgFlags", "MSG_* flags (MSG_WAITALL, MSG_PEEK, MSG_TRUNC, …)."),
      netIoprio("POLL_FIRST (1), IORING_RECV_MULTISHOT (2), BUNDLE (0x10) with `bufferSelect`"),
      BUF_GROUP,
    ],
  ),
  op("sendmsg", "SENDMSG", "Send a message described by a `struct msghdr` (sendmsg).", "msgFlags", [
    FD_SOCK("send on"),
    req("addr", "The address of a `struct msghdr`."),
    opt("msgFlags", "MSG_* flags."),
    netIoprio("POLL_FIRST (1)"),
  ]),
  op("recvmsg", "RECVMSG", "Receive a message into a `struct msghdr` (recvmsg).", "msgFlags", [
    FD_SOCK("receive from"),
    req("addr", "The address of a `struct msghdr`."),
    opt("len", "With `bufferSelect`: the most bytes to take from the selected buffer."),
    opt("msgFlags", "MSG_* flags."),
    netIoprio("POLL_FIRST (1), IORING_RECV_MULTISHOT (2)"),
    BUF_GROUP,
  ]),
  op(
    "openat",
    "OPENAT",
    "Open a file (openat); res is the new fd, or 0 when installed into `fileIndex`.",
    "openFlags",
    [
      DIR_FD,
      req("addr", "The address of the NUL-terminated path."),
      opt("len", "The mode for a file that O_CREAT creates (e.g. 0o644)."),
      opt("openFlags", "O_* flags (O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT, O_TRUNC, …)."),
      FILE_INDEX,
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "close",
    "CLOSE",
    "Close a file descriptor, or with `fileIndex` a registered-file slot.",
    null,
    [
      opt("fd", "The descriptor to close (a normal fd: `fixedFile` is rejected; use `fileIndex`)."),
      opt("fileIndex", "Close this registered-file slot plus one instead of `fd`."),
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "statx",
    "STATX",
    "Get a file's status (statx).",
    "statxFlags",
    [
      DIR_FD,
      req("addr", 'The address of the NUL-terminated path ("" with AT_EMPTY_PATH: `fd` itself).'),
      opt("len", "The STATX_* mask of fields wanted."),
      req("addr2", "The address of the `struct statx` to fill."),
      opt("statxFlags", "AT_* flags (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, AT_STATX_*)."),
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op("shutdown", "SHUTDOWN", "Shut down part of a full-duplex connection (shutdown).", null, [
    FD_SOCK("shut down"),
    opt("len", "How: SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2."),
  ]),
  op(
    "socket",
    "SOCKET",
    "Create a socket (socket); res is the new fd, or 0 when installed into `fileIndex`.",
    null,
    [
      req("fd", "The domain: AF_INET = 2, AF_INET6 = 10, AF_UNIX = 1, …"),
      req(
        "off",
        "The type: SOCK_STREAM = 1, SOCK_DGRAM = 2, optionally with SOCK_NONBLOCK / SOCK_CLOEXEC.",
      ),
      opt("len", "The protocol (0: the type's default)."),
      FILE_INDEX,
    ],
  ),
  // Extra ops beyond language.md's minimum (cheap to describe, same rules).
  op(
    "syncFileRange",
    "SYNC_FILE_RANGE",
    "Sync a range of a file (sync_file_range).",
    "syncRangeFlags",
    [
      FD_FILE("sync"),
      opt("off", "The start of the range."),
      opt("len", "The length of the range (0: to the end of the file)."),
      opt("syncRangeFlags", "SYNC_FILE_RANGE_WAIT_BEFORE / _WRITE / _WAIT_AFTER."),
    ],
  ),
  op(
    "timeoutRemove",
    "TIMEOUT_REMOVE",
    "Cancel, or with IORING_TIMEOUT_UPDATE re-time, a pending timeout.",
    "timeoutFlags",
    [
      req("addr", "The `userData` of the timeout to remove or update."),
      opt("off", "With IORING_TIMEOUT_UPDATE: the address of the new `struct __kernel_timespec`."),
      opt("timeoutFlags", "IORING_TIMEOUT_UPDATE (2) and IORING_TIMEOUT_ABS; 0 removes."),
    ],
  ),
  op("fallocate", "FALLOCATE", "Allocate or punch space in a file (fallocate).", null, [
    FD_FILE("change"),
    opt("off", "The start of the range."),
    req("addr", "The length of the range in bytes (a value, not a pointer)."),
    opt("len", "The FALLOC_FL_* mode (0: allocate)."),
  ]),
  op(
    "fadvise",
    "FADVISE",
    "Declare an access pattern for a file range (posix_fadvise).",
    "fadviseAdvice",
    [
      FD_FILE("advise on"),
      opt("off", "The start of the range."),
      opt("len", "The length of the range (0: to the end of the file)."),
      opt(
        "fadviseAdvice",
        "POSIX_FADV_* (NORMAL 0, RANDOM 1, SEQUENTIAL 2, WILLNEED 3, DONTNEED 4, NOREUSE 5).",
      ),
    ],
  ),
  op(
    "madvise",
    "MADVISE",
    "Declare an access pattern for a memory range (madvise).",
    "fadviseAdvice",
    [
      req("addr", "The start of the memory range."),
      req("len", "The length of the range in bytes."),
      opt("fadviseAdvice", "MADV_* advice."),
    ],
  ),
  op(
    "splice",
    "SPLICE",
    "Move bytes between two files, one of them a pipe (splice).",
    "spliceFlags",
    [
      req("fd", "The output file."),
      opt(
        "off",
        "The offset in the output file (all ones: its file position; must be all ones for a pipe).",
      ),
      req(
        "spliceFdIn",
        "The input file (registered when SPLICE_F_FD_IN_FIXED is in `spliceFlags`).",
      ),
      opt(
        "spliceOffIn",
        "The offset in the input file (all ones: its file position; must be all ones for a pipe).",
      ),
      req("len", "How many bytes to move."),
      opt("spliceFlags", "SPLICE_F_* flags, and SPLICE_F_FD_IN_FIXED."),
    ],
  ),
  op(
    "tee",
    "TEE",
    "Duplicate bytes from one pipe to another without consuming them (tee).",
    "spliceFlags",
    [
      req("fd", "The output pipe."),
      req("spliceFdIn", "The input pipe."),
      req("len", "How many bytes to duplicate."),
      opt("spliceFlags", "SPLICE_F_* flags, and SPLICE_F_FD_IN_FIXED."),
    ],
  ),
  op("filesUpdate", "FILES_UPDATE", "Replace entries of the ring's registered-file table.", null, [
    req("addr", "The address of an array of `int` fds (-1 clears a slot)."),
    req("len", "How many entries the array holds."),
    opt("off", "The first slot to update."),
  ]),
  op(
    "provideBuffers",
    "PROVIDE_BUFFERS",
    "Hand the kernel buffers for `bufferSelect` requests.",
    null,
    [
      req("fd", "How many buffers to provide."),
      req("addr", "The start of the first buffer; the rest follow contiguously."),
      req("len", "The size of each buffer."),
      opt("off", "The id of the first buffer; the rest count up."),
      req("bufGroup", "The group the buffers join."),
    ],
  ),
  op("removeBuffers", "REMOVE_BUFFERS", "Take provided buffers back from a group.", null, [
    req("fd", "How many buffers to remove."),
    req("bufGroup", "The group to remove them from."),
  ]),
  op("epollCtl", "EPOLL_CTL", "Change an epoll interest list (epoll_ctl).", null, [
    req("fd", "The epoll instance."),
    opt("addr", "The address of the `struct epoll_event`."),
    req("len", "The operation: EPOLL_CTL_ADD 1, _DEL 2, _MOD 3."),
    req("off", "The target file descriptor."),
  ]),
  op(
    "openat2",
    "OPENAT2",
    "Open a file with a `struct open_how` (openat2).",
    null,
    [
      DIR_FD,
      req("addr", "The address of the NUL-terminated path."),
      req("len", "The size of the `struct open_how` (24)."),
      req("addr2", "The address of the `struct open_how`."),
      FILE_INDEX,
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "renameat",
    "RENAMEAT",
    "Rename a file (renameat2).",
    "renameFlags",
    [
      req("fd", "The directory that the old path is resolved from (AT_FDCWD = -100)."),
      req("addr", "The address of the old path."),
      opt(
        "len",
        "The directory that the new path is resolved from (as a u32: AT_FDCWD is u32(-100)).",
      ),
      req("addr2", "The address of the new path."),
      opt("renameFlags", "RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT."),
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "unlinkat",
    "UNLINKAT",
    "Remove a file or, with AT_REMOVEDIR, a directory (unlinkat).",
    "unlinkFlags",
    [
      DIR_FD,
      req("addr", "The address of the path."),
      opt("unlinkFlags", "AT_REMOVEDIR (0x200) to remove a directory."),
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "mkdirat",
    "MKDIRAT",
    "Create a directory (mkdirat).",
    null,
    [DIR_FD, req("addr", "The address of the path."), opt("len", "The new directory's mode.")],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "symlinkat",
    "SYMLINKAT",
    "Create a symbolic link (symlinkat).",
    null,
    [
      req("fd", "The directory that the link path is resolved from (AT_FDCWD = -100)."),
      req("addr", "The address of the link's target string."),
      req("addr2", "The address of the link path."),
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "linkat",
    "LINKAT",
    "Create a hard link (linkat).",
    "hardlinkFlags",
    [
      req("fd", "The directory that the old path is resolved from (AT_FDCWD = -100)."),
      req("addr", "The address of the old path."),
      opt("len", "The directory that the new path is resolved from (as a u32)."),
      req("addr2", "The address of the new path."),
      opt("hardlinkFlags", "AT_SYMLINK_FOLLOW, AT_EMPTY_PATH."),
    ],
    { rejectedFlags: ["fixedFile"] },
  ),
  op(
    "msgRing",
    "MSG_RING",
    "Post a CQE to another ring (or pass it a registered file).",
    "msgRingFlags",
    [
      req("fd", "The target ring's fd (a registered-file index when `fixedFile` is set)."),
      opt(
        "addr",
        "The command: IORING_MSG_DATA (0) posts a CQE; IORING_MSG_SEND_FD (1) passes a file.",
      ),
      opt("len", "The `res` of the CQE posted to the target ring."),
      opt("off", "The `userData` of the CQE posted to the target ring."),
      opt("addr3", "With IORING_MSG_SEND_FD: the registered-file index to pass."),
      opt(
        "fileIndex",
        "With IORING_MSG_SEND_FD: the target slot plus one; with IORING_MSG_RING_FLAGS_PASS: the CQE flags.",
      ),
      opt("msgRingFlags", "IORING_MSG_RING_CQE_SKIP (1), IORING_MSG_RING_FLAGS_PASS (2)."),
    ],
  ),
  op(
    "sendZc",
    "SEND_ZC",
    "Send without copying; a second CQE (flag NOTIF) says when the buffer is free again.",
    "msgFlags",
    [
      FD_SOCK("send on"),
      req("addr", "The buffer holding the bytes to send."),
      req("len", "How many bytes to send."),
      opt("msgFlags", "MSG_* flags."),
      opt("ioprio", "IORING_RECVSEND_FIXED_BUF, IORING_SEND_ZC_REPORT_USAGE, …"),
      opt("addr2", "For sendto: the address of the destination `struct sockaddr`."),
      opt("addrLen", "For sendto: the length of the destination address."),
      opt("bufIndex", "With IORING_RECVSEND_FIXED_BUF: the registered buffer `addr` lies in."),
    ],
  ),
  op(
    "readMultishot",
    "READ_MULTISHOT",
    "Read repeatedly into provided buffers, one CQE per read, while data comes.",
    null,
    [
      FD_FILE("read from"),
      opt("len", "The most bytes per read (0: the provided buffer's size)."),
      OFF_FILE,
      req("bufGroup", "The provided-buffer group to read into."),
    ],
    { impliedFlags: ["bufferSelect"] },
  ),
  op("ftruncate", "FTRUNCATE", "Set a file's length (ftruncate).", null, [
    FD_FILE("truncate"),
    req("off", "The new length in bytes."),
  ]),
  op("bind", "BIND", "Bind a socket to an address (bind).", null, [
    FD_SOCK("bind"),
    req("addr", "The address of the `struct sockaddr`."),
    req("addr2", "The length of that sockaddr in bytes (a value, not a pointer)."),
  ]),
  op("listen", "LISTEN", "Mark a socket as accepting connections (listen).", null, [
    FD_SOCK("listen on"),
    opt("len", "The backlog."),
  ]),
  op(
    "fixedFdInstall",
    "FIXED_FD_INSTALL",
    "Turn a registered file into a normal fd; res is the fd.",
    "installFdFlags",
    [
      req("fd", "The registered-file index."),
      opt("installFdFlags", "IORING_FIXED_FD_NO_CLOEXEC (1) to leave close-on-exec off."),
    ],
    { impliedFlags: ["fixedFile"] },
  ),
  op("pipe", "PIPE", "Create a pipe (pipe2); its two fds are stored at `addr`.", "pipeFlags", [
    req("addr", "The address of an `int[2]` that receives the read and write ends."),
    opt("pipeFlags", "O_CLOEXEC, O_NONBLOCK, O_DIRECT."),
    FILE_INDEX,
  ]),
];

/** The fields `submit.sqe({ opcode, … })` accepts: every field (opcode required). */
export const RAW_SQE_OP = {
  name: "sqe",
  doc: "Queue an SQE built field by field, for any opcode; fields not given are zero.",
} as const;

/** io_uring_params (120 bytes) and its ring offset blocks, for loaders and the ring walk. */
export const IO_URING_PARAMS = {
  size: 120,
  fields: {
    sqEntries: 0,
    cqEntries: 4,
    flags: 8,
    sqThreadCpu: 12,
    sqThreadIdle: 16,
    features: 20,
    wqFd: 24,
    sqOff: 40,
    cqOff: 80,
  },
  /** Added by the `iouring-v2` RFC in the reserved words (multiple CQs). */
  v2: { nrCq: 28, cqSizes: 32 },
  /** struct io_sqring_offsets, relative to `sqOff`. */
  sqOff: { head: 0, tail: 4, ringMask: 8, ringEntries: 12, flags: 16, dropped: 20, array: 24 },
  /** struct io_cqring_offsets, relative to `cqOff`. */
  cqOff: { head: 0, tail: 4, ringMask: 8, ringEntries: 12, overflow: 16, cqes: 20, flags: 24 },
} as const;

// ---- lookups ----

const FIELD_BY_NAME: ReadonlyMap<string, SqeField> = new Map(SQE_FIELDS.map((x) => [x.name, x]));
const OP_BY_NAME: ReadonlyMap<string, SubmitOp> = new Map(SUBMIT_OPS.map((x) => [x.name, x]));
const IOSQE_BY_NAME: ReadonlyMap<string, IosqeFlag> = new Map(IOSQE_FLAGS.map((x) => [x.name, x]));

export function sqeField(name: string): SqeField | undefined {
  return FIELD_BY_NAME.get(name);
}

export function submitOp(name: string): SubmitOp | undefined {
  return OP_BY_NAME.get(name);
}

export function iosqeFlag(name: string): IosqeFlag | undefined {
  return IOSQE_BY_NAME.get(name);
}

/** The kernel name (without IORING_OP_) of an opcode number, or undefined past the table. */
export function opcodeName(n: number): OpcodeName | undefined {
  return Number.isInteger(n) && n >= 0 && n < OPCODES.length ? OPCODES[n] : undefined;
}

/** The number of an opcode given as `READ` or `IORING_OP_READ`. */
export function opcodeNumber(name: string): number | undefined {
  const i = (OPCODES as readonly string[]).indexOf(name.replace(/^IORING_OP_/, ""));
  return i < 0 ? undefined : i;
}

/** Every field an op accepts (its own first, then the common ones), excluding IOSQE booleans. */
export function opFields(o: SubmitOp): readonly OpFieldUse[] {
  return [...o.fields, ...COMMON_FIELDS];
}

/** How an op uses a field, or undefined when the op does not take it. */
export function opField(o: SubmitOp, field: string): OpFieldUse | undefined {
  return opFields(o).find((u) => u.field === field);
}

/** Whether two fields share at least one byte (so an SQE cannot carry both). */
export function fieldsOverlap(a: SqeField, b: SqeField): boolean {
  return a.offset < b.offset + b.size && b.offset < a.offset + a.size;
}

/** The inclusive value range of a field, for "value does not fit" checks. */
export function fieldRange(x: { readonly size: FieldSize; readonly signed: boolean }): {
  min: bigint;
  max: bigint;
} {
  const bits = BigInt(x.size * 8);
  return x.signed
    ? { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n }
    : { min: 0n, max: (1n << bits) - 1n };
}

/** The IOSQE flag byte for a set of boolean options. */
export function iosqeByte(flags: Partial<Record<IosqeName, boolean>>): number {
  let byte = 0;
  for (const fl of IOSQE_FLAGS) if (flags[fl.name]) byte |= 1 << fl.bit;
  return byte;
}
