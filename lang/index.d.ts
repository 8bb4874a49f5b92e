// ioubpf/lang: the declaration module of the ioubpf program language (`*.bpf.ts`).
//
// Programs are compiled to eBPF, never run by Node, so this module only describes them to
// TypeScript: `tsc --strict --noEmit` checks a program against it and editors complete and
// document its builtins. The compiler gives each name its real meaning; integer types are
// plain `number` here and get their real widths from the compiler.
//
// The part between the GENERATED markers comes from src/targets/sqe.ts (run
// `npm run gen:lang` after changing that table); everything else is written by hand.

// ---- integer types and conversions ----

/** Unsigned 8-bit integer. Arithmetic wraps at 8 bits. */
export type u8 = number;
/** Unsigned 16-bit integer. Arithmetic wraps at 16 bits. */
export type u16 = number;
/** Unsigned 32-bit integer. Arithmetic wraps at 32 bits. */
export type u32 = number;
/** Unsigned 64-bit integer. Arithmetic wraps at 64 bits. Literals above 2^53 lose nothing: the compiler reads them exactly. */
export type u64 = number;
/** Signed 8-bit integer (two's complement). */
export type i8 = number;
/** Signed 16-bit integer (two's complement). */
export type i16 = number;
/** Signed 32-bit integer (two's complement). */
export type i32 = number;
/** Signed 64-bit integer (two's complement). */
export type i64 = number;
/** A truth value, stored as one byte (0 or 1). */
export type bool = boolean;

/** Convert to u8: keep the low 8 bits. */
export declare function u8(x: number | boolean): u8;
/** Convert to u16: keep the low 16 bits. */
export declare function u16(x: number | boolean): u16;
/** Convert to u32: keep the low 32 bits, or zero-extend a narrower unsigned / sign-extend a narrower signed value. */
export declare function u32(x: number | boolean): u32;
/** Convert to u64: zero-extend an unsigned value, sign-extend a signed one. */
export declare function u64(x: number | boolean): u64;
/** Convert to i8: keep the low 8 bits, read as signed. */
export declare function i8(x: number | boolean): i8;
/** Convert to i16: keep the low 16 bits, read as signed. */
export declare function i16(x: number | boolean): i16;
/** Convert to i32: keep the low 32 bits, read as signed, or extend a narrower value. */
export declare function i32(x: number | boolean): i32;
/** Convert to i64: sign-extend a signed value, zero-extend an unsigned one. */
export declare function i64(x: number | boolean): i64;

// ---- structs ----

/**
 * A fixed-length array of `N` elements of `T`, for struct (interface) fields: laid out inline
 * like a C array. Index it with an integer; the compiler bounds-checks indexes it cannot prove.
 */
export interface FixedArray<T, N extends number> {
  [index: number]: T;
  /** The element count `N`, a compile-time constant. */
  readonly length: N;
}

// ---- maps (declare at top level: `const counts = new HashMap<u32, u64>(1024);`) ----

/**
 * A BPF array map (BPF_MAP_TYPE_ARRAY): `maxEntries` slots indexed 0..maxEntries-1, all
 * present and zero-initialised. Keys are u32.
 */
export declare class ArrayMap<K, V> {
  /** `maxEntries`: the number of slots, a compile-time constant. */
  constructor(maxEntries: number);
  /**
   * A reference to the value at `key`, or null when `key` is out of range. Check it for null
   * before use; writing fields through it updates the map in place.
   */
  get(key: K): V | null;
  /** Store `value` at `key`; true when stored. */
  set(key: K, value: V): bool;
  /** Array slots cannot be removed: the kernel refuses, and this returns false. */
  delete(key: K): bool;
  /** Whether `key` is a slot of the array. */
  has(key: K): bool;
}

/**
 * A BPF hash map (BPF_MAP_TYPE_HASH) of at most `maxEntries` entries. Keys and values are
 * integers or structs, copied in and out by value.
 */
export declare class HashMap<K, V> {
  /** `maxEntries`: the most entries the map can hold, a compile-time constant. */
  constructor(maxEntries: number);
  /**
   * A reference to the value stored under `key`, or null when there is none. Check it for null
   * before use; writing fields through it updates the map in place.
   */
  get(key: K): V | null;
  /** Insert or replace the value under `key`; false when the map is full. */
  set(key: K, value: V): bool;
  /** Remove `key`; false when it was not there. */
  delete(key: K): bool;
  /** Whether an entry exists under `key`. */
  has(key: K): bool;
}

/**
 * A per-CPU array map (BPF_MAP_TYPE_PERCPU_ARRAY): like `ArrayMap`, but each CPU has its own
 * copy of every slot, so updates need no atomics. User space sees one value per CPU.
 */
export declare class PerCpuArrayMap<K, V> {
  /** `maxEntries`: the number of slots, a compile-time constant. */
  constructor(maxEntries: number);
  /** A reference to this CPU's value at `key`, or null when `key` is out of range. */
  get(key: K): V | null;
  /** Store `value` in this CPU's slot at `key`; true when stored. */
  set(key: K, value: V): bool;
  /** Array slots cannot be removed: the kernel refuses, and this returns false. */
  delete(key: K): bool;
  /** Whether `key` is a slot of the array. */
  has(key: K): bool;
}

/** A BPF ring buffer (BPF_MAP_TYPE_RINGBUF) that user space consumes. */
export declare class RingBuf {
  /** `bytes`: the buffer size, a power of two and a multiple of the page size. */
  constructor(bytes: number);
  /** Copy `value` (an integer or a struct) into the ring buffer; false when it is full. */
  output<T>(value: T): bool;
}

// ---- builtins ----

/** The completion `emit` posts. */
export interface EmitCqe {
  /** The CQE's `user_data`. */
  userData: u64;
  /** The CQE's `res`. */
  res: i32;
  /** The CQE's `flags` (default 0). */
  flags?: u32;
  /** The CQ to post to (default 0, the main CQ). */
  cq?: u16;
}

/**
 * Post a completion to user space (`iouring-v2`: the emit-CQE helper). A compile error on
 * targets that cannot post CQEs. True when posted (false for a bad CQ index).
 */
export declare function emit(cqe: EmitCqe): bool;

/**
 * End the program's chain after this run: no re-arm on `iouring-v2`, IOU_LOOP_STOP on
 * `linux-7.1`. Returning normally keeps the program running.
 */
export declare function stop(): void;

/** Nanoseconds since boot (CLOCK_MONOTONIC), as bpf_ktime_get_ns. */
export declare function ktime(): u64;

/** A pseudo-random 32-bit number (bpf_get_prandom_u32); not for cryptography. */
export declare function random(): u32;

/**
 * Write a line to the kernel trace pipe (bpf_trace_printk). `fmt` is a string literal with
 * printf conversions (%d %u %x %lld %llu %llx …); at most 3 integer arguments.
 */
export declare function trace(fmt: string, arg1?: number, arg2?: number, arg3?: number): void;

/**
 * Copy `sizeof(dst)` bytes from the user-space address `addr` into `dst` (a struct or
 * FixedArray variable, or a map value). Sleepable `iouring-v2` programs only. 0 or a negative errno.
 */
export declare function copyFromUser<T extends object>(dst: T, addr: u64): i64;

/**
 * Copy `src` (a struct or FixedArray) to the user-space address `addr`. Sleepable
 * `iouring-v2` programs only. 0 or a negative errno.
 */
export declare function copyToUser<T extends object>(addr: u64, src: T): i64;

// ---- SQE and CQE (generated) ----

// ---- BEGIN GENERATED by scripts/gen-lang.ts from src/targets/sqe.ts: do not edit ----

/** A completion (`struct io_uring_cqe`, 16 bytes) as `onCompletion` receives it. Read-only. */
export interface Cqe {
  /**
   * The `userData` of the request that completed (or of the emitted CQE).
   *
   * `user_data`, u64 at byte 0.
   */
  readonly userData: u64;
  /**
   * The result: what the matching system call would return, or a negative errno.
   *
   * `res`, i32 at byte 8.
   */
  readonly res: i32;
  /**
   * IORING_CQE_F_* bits; with a selected buffer, its id is in the upper 16 bits.
   *
   * - 1 IORING_CQE_F_BUFFER: A provided buffer was used; its id is `flags >> 16`.
   * - 2 IORING_CQE_F_MORE: The request is multishot and will post further CQEs.
   * - 4 IORING_CQE_F_SOCK_NONEMPTY: The socket still had data queued after this receive.
   * - 8 IORING_CQE_F_NOTIF: A zero-copy send notification, not a send result.
   * - 0x10 IORING_CQE_F_BUF_MORE: The provided buffer was only partly consumed and will be used again.
   * - 0x20 IORING_CQE_F_SKIP: A filler entry to be skipped.
   *
   * `flags`, u32 at byte 12.
   */
  readonly flags: u32;
}

/** The IOSQE_* bits of an SQE's flag byte, as booleans (absent: false). */
export interface SqeFlags {
  /**
   * `fd` is an index into the ring's registered files, not a normal descriptor.
   *
   * IOSQE_FIXED_FILE (bit 0, since Linux 5.1).
   */
  fixedFile?: bool;
  /**
   * Start only after every earlier request has completed, and hold later ones until this one has.
   *
   * IOSQE_IO_DRAIN (bit 1, since Linux 5.2).
   */
  drain?: bool;
  /**
   * Chain the next request to this one: it starts when this one succeeds; a failure cancels the rest of the chain.
   *
   * IOSQE_IO_LINK (bit 2, since Linux 5.3).
   */
  link?: bool;
  /**
   * Like `link`, but the next request starts even when this one fails.
   *
   * IOSQE_IO_HARDLINK (bit 3, since Linux 5.5).
   */
  hardlink?: bool;
  /**
   * Skip the non-blocking first attempt and go straight to the async worker.
   *
   * IOSQE_ASYNC (bit 4, since Linux 5.6).
   */
  async?: bool;
  /**
   * Let the kernel pick the data buffer from the provided-buffer group `bufGroup`; the CQE names the buffer.
   *
   * IOSQE_BUFFER_SELECT (bit 5, since Linux 5.7).
   */
  bufferSelect?: bool;
  /**
   * Post no completion when the request succeeds; only failures produce a CQE.
   *
   * IOSQE_CQE_SKIP_SUCCESS (bit 6, since Linux 5.17).
   */
  cqeSkipSuccess?: bool;
}

/** Options every `submit.<op>` accepts: the IOSQE booleans and the op-independent fields. */
export interface SqeCommon extends SqeFlags {
  /**
   * Copied into this request's CQE, to recognise the completion.
   *
   * SQE field `user_data`, u64 at byte 32.
   */
  userData?: u64;
  /**
   * Registered credentials to run the request with (0: the submitter's).
   *
   * SQE field `personality`, u16 at byte 42.
   */
  personality?: u16;
  /**
   * The CQ that receives the completion (`iouring-v2` only; default 0, the main CQ).
   *
   * SQE field `cq_idx`, u16 at byte 48; iouring-v2 only.
   */
  cq?: u16;
}

/**
 * Options of `submit.nop`. Fields not given are zero.
 *
 * Do nothing; completes with res 0. Useful to test the ring or to pace a chain.
 *
 * Opcode IORING_OP_NOP (0).
 */
export type NopOptions = SqeCommon;

/**
 * Options of `submit.read`. Fields not given are zero.
 *
 * Read from a file into a buffer (pread; with an offset of all ones, read).
 *
 * Opcode IORING_OP_READ (22).
 * Its op-flag word is `rwFlags`.
 */
export interface ReadOptions extends SqeCommon {
  /**
   * The file to read from (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The buffer to read into (leave out with `bufferSelect`).
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * How many bytes to read at most.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The file offset to start at; all ones (`u64(-1)`) means the current file position.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * RWF_* flags, as for preadv2/pwritev2 (RWF_NOWAIT, RWF_DSYNC, …).
   *
   * SQE field `rw_flags`, i32 at byte 28.
   */
  rwFlags?: i32;
  /**
   * The I/O priority (IOPRIO_PRIO_VALUE), 0 for the task's own.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * With `bufferSelect`: the provided-buffer group the kernel picks the buffer from.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup?: u16;
}

/**
 * Options of `submit.write`. Fields not given are zero.
 *
 * Write a buffer to a file (pwrite; with an offset of all ones, write).
 *
 * Opcode IORING_OP_WRITE (23).
 * Its op-flag word is `rwFlags`.
 */
export interface WriteOptions extends SqeCommon {
  /**
   * The file to write to (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The buffer holding the bytes to write.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * How many bytes to write.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The file offset to start at; all ones (`u64(-1)`) means the current file position.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * RWF_* flags, as for preadv2/pwritev2 (RWF_NOWAIT, RWF_DSYNC, …).
   *
   * SQE field `rw_flags`, i32 at byte 28.
   */
  rwFlags?: i32;
  /**
   * The I/O priority (IOPRIO_PRIO_VALUE), 0 for the task's own.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
}

/**
 * Options of `submit.readv`. Fields not given are zero.
 *
 * Read from a file into several buffers (preadv2).
 *
 * Opcode IORING_OP_READV (1).
 * Its op-flag word is `rwFlags`.
 */
export interface ReadvOptions extends SqeCommon {
  /**
   * The file to read from (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of an array of `struct iovec`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * How many iovecs the array holds.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The file offset to start at; all ones (`u64(-1)`) means the current file position.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * RWF_* flags, as for preadv2/pwritev2 (RWF_NOWAIT, RWF_DSYNC, …).
   *
   * SQE field `rw_flags`, i32 at byte 28.
   */
  rwFlags?: i32;
  /**
   * The I/O priority (IOPRIO_PRIO_VALUE), 0 for the task's own.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * With `bufferSelect`: the provided-buffer group the kernel picks the buffer from.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup?: u16;
}

/**
 * Options of `submit.writev`. Fields not given are zero.
 *
 * Write several buffers to a file (pwritev2).
 *
 * Opcode IORING_OP_WRITEV (2).
 * Its op-flag word is `rwFlags`.
 */
export interface WritevOptions extends SqeCommon {
  /**
   * The file to write to (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of an array of `struct iovec`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * How many iovecs the array holds.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The file offset to start at; all ones (`u64(-1)`) means the current file position.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * RWF_* flags, as for preadv2/pwritev2 (RWF_NOWAIT, RWF_DSYNC, …).
   *
   * SQE field `rw_flags`, i32 at byte 28.
   */
  rwFlags?: i32;
  /**
   * The I/O priority (IOPRIO_PRIO_VALUE), 0 for the task's own.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
}

/**
 * Options of `submit.readFixed`. Fields not given are zero.
 *
 * Read into a registered buffer (no page pinning per request).
 *
 * Opcode IORING_OP_READ_FIXED (4).
 * Its op-flag word is `rwFlags`.
 */
export interface ReadFixedOptions extends SqeCommon {
  /**
   * The file to read from (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * Where to read to: an address inside the registered buffer `bufIndex`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * How many bytes to read at most.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The file offset to start at; all ones (`u64(-1)`) means the current file position.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The index of the registered buffer that `addr` lies in.
   *
   * SQE field `buf_index`, u16 at byte 40.
   */
  bufIndex: u16;
  /**
   * RWF_* flags, as for preadv2/pwritev2 (RWF_NOWAIT, RWF_DSYNC, …).
   *
   * SQE field `rw_flags`, i32 at byte 28.
   */
  rwFlags?: i32;
  /**
   * The I/O priority (IOPRIO_PRIO_VALUE), 0 for the task's own.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
}

/**
 * Options of `submit.writeFixed`. Fields not given are zero.
 *
 * Write from a registered buffer.
 *
 * Opcode IORING_OP_WRITE_FIXED (5).
 * Its op-flag word is `rwFlags`.
 */
export interface WriteFixedOptions extends SqeCommon {
  /**
   * The file to write to (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * Where the bytes are: an address inside the registered buffer `bufIndex`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * How many bytes to write.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The file offset to start at; all ones (`u64(-1)`) means the current file position.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The index of the registered buffer that `addr` lies in.
   *
   * SQE field `buf_index`, u16 at byte 40.
   */
  bufIndex: u16;
  /**
   * RWF_* flags, as for preadv2/pwritev2 (RWF_NOWAIT, RWF_DSYNC, …).
   *
   * SQE field `rw_flags`, i32 at byte 28.
   */
  rwFlags?: i32;
  /**
   * The I/O priority (IOPRIO_PRIO_VALUE), 0 for the task's own.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
}

/**
 * Options of `submit.fsync`. Fields not given are zero.
 *
 * Flush a file's data (and metadata unless DATASYNC) to storage.
 *
 * Opcode IORING_OP_FSYNC (3).
 * Its op-flag word is `fsyncFlags`.
 */
export interface FsyncOptions extends SqeCommon {
  /**
   * The file to sync (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * IORING_FSYNC_DATASYNC (1) for fdatasync semantics, 0 for fsync.
   *
   * SQE field `fsync_flags`, u32 at byte 28.
   */
  fsyncFlags?: u32;
  /**
   * The start of the range to sync (with `len`; 0 and 0: the whole file).
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The length of the range to sync (0: to the end of the file).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
}

/**
 * Options of `submit.pollAdd`. Fields not given are zero.
 *
 * Wait until a file is ready (poll); res is the ready event mask.
 *
 * Opcode IORING_OP_POLL_ADD (6).
 * Its op-flag word is `pollEvents`.
 */
export interface PollAddOptions extends SqeCommon {
  /**
   * The file to watch (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The events to wait for (POLLIN = 1, POLLOUT = 4, …).
   *
   * SQE field `poll32_events`, u32 at byte 28.
   */
  pollEvents: u32;
  /**
   * IORING_POLL_ADD_* bits; IORING_POLL_ADD_MULTI (1) keeps the poll armed and posts a CQE per event.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
}

/**
 * Options of `submit.pollRemove`. Fields not given are zero.
 *
 * Cancel, or with update flags modify, a pending poll request.
 *
 * Opcode IORING_OP_POLL_REMOVE (7).
 * Its op-flag word is `pollEvents`.
 */
export interface PollRemoveOptions extends SqeCommon {
  /**
   * The `userData` of the poll request to remove or update.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * With IORING_POLL_UPDATE_USER_DATA: the poll request's new `userData`.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * IORING_POLL_UPDATE_EVENTS / _USER_DATA / IORING_POLL_ADD_MULTI bits (0: remove).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * With IORING_POLL_UPDATE_EVENTS: the new event mask.
   *
   * SQE field `poll32_events`, u32 at byte 28.
   */
  pollEvents?: u32;
}

/**
 * Options of `submit.timeout`. Fields not given are zero.
 *
 * Complete after a time, or after a number of other completions, whichever is first.
 *
 * Opcode IORING_OP_TIMEOUT (11).
 * Its op-flag word is `timeoutFlags`.
 * The compiler sets `len` = 1 itself, as the kernel requires.
 */
export interface TimeoutOptions extends SqeCommon {
  /**
   * The address of a `struct __kernel_timespec` (64-bit seconds, 64-bit nanoseconds).
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * Complete early once this many other requests have completed (0: only the time counts).
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * IORING_TIMEOUT_ABS (1) for an absolute time, clock selection bits, IORING_TIMEOUT_MULTISHOT, …
   *
   * SQE field `timeout_flags`, u32 at byte 28.
   */
  timeoutFlags?: u32;
  /**
   * Set to 1 by the compiler, as the kernel requires; may be given with that value.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: 1;
}

/**
 * Options of `submit.linkTimeout`. Fields not given are zero.
 *
 * Bound the request linked before this one: cancel it if it has not completed in time.
 *
 * Opcode IORING_OP_LINK_TIMEOUT (15).
 * Its op-flag word is `timeoutFlags`.
 * The compiler sets `len` = 1 itself, as the kernel requires.
 */
export interface LinkTimeoutOptions extends SqeCommon {
  /**
   * The address of a `struct __kernel_timespec`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * IORING_TIMEOUT_ABS (1) and clock selection bits.
   *
   * SQE field `timeout_flags`, u32 at byte 28.
   */
  timeoutFlags?: u32;
  /**
   * Set to 1 by the compiler, as the kernel requires; may be given with that value.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: 1;
}

/**
 * Options of `submit.cancel`. Fields not given are zero.
 *
 * Cancel pending requests that match a `userData` (or an fd, or any, per flags).
 *
 * Opcode IORING_OP_ASYNC_CANCEL (14).
 * Its op-flag word is `cancelFlags`.
 */
export interface CancelOptions extends SqeCommon {
  /**
   * The `userData` of the request to cancel.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * With IORING_ASYNC_CANCEL_FD: cancel the requests on this file.
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd?: i32;
  /**
   * IORING_ASYNC_CANCEL_ALL (1), _FD (2), _ANY (4), _FD_FIXED (8), …
   *
   * SQE field `cancel_flags`, u32 at byte 28.
   */
  cancelFlags?: u32;
}

/**
 * Options of `submit.accept`. Fields not given are zero.
 *
 * Accept a connection on a listening socket; res is the new socket's fd.
 *
 * Opcode IORING_OP_ACCEPT (13).
 * Its op-flag word is `acceptFlags`.
 */
export interface AcceptOptions extends SqeCommon {
  /**
   * The socket to accept on (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * Where to store the peer's `struct sockaddr` (0: not wanted).
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * The address of a `socklen_t` holding the size of `addr`'s buffer; updated to the peer address length.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2?: u64;
  /**
   * SOCK_NONBLOCK, SOCK_CLOEXEC, as for accept4.
   *
   * SQE field `accept_flags`, u32 at byte 28.
   */
  acceptFlags?: u32;
  /**
   * IORING_ACCEPT_MULTISHOT (1) to keep accepting, IORING_ACCEPT_DONTWAIT, IORING_ACCEPT_POLL_FIRST.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * Install the new file into this registered-file slot plus one (0: return a normal fd).
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
}

/**
 * Options of `submit.connect`. Fields not given are zero.
 *
 * Connect a socket to an address.
 *
 * Opcode IORING_OP_CONNECT (16).
 */
export interface ConnectOptions extends SqeCommon {
  /**
   * The socket to connect (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the peer's `struct sockaddr`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The length of that sockaddr in bytes (a value, not a pointer).
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2: u64;
}

/**
 * Options of `submit.send`. Fields not given are zero.
 *
 * Send bytes on a socket (send, or sendto with `addr2`).
 *
 * Opcode IORING_OP_SEND (26).
 * Its op-flag word is `msgFlags`.
 */
export interface SendOptions extends SqeCommon {
  /**
   * The socket to send on (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The buffer holding the bytes to send.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * How many bytes to send.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * MSG_* flags (MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE, …).
   *
   * SQE field `msg_flags`, u32 at byte 28.
   */
  msgFlags?: u32;
  /**
   * IORING_RECVSEND_* bits: POLL_FIRST (1); BUNDLE (0x10) with `bufferSelect`.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * For sendto: the address of the destination `struct sockaddr`.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2?: u64;
  /**
   * For sendto: the length of the destination address.
   *
   * SQE field `addr_len`, u16 at byte 44.
   */
  addrLen?: u16;
  /**
   * With `bufferSelect`: the provided-buffer group the kernel picks the buffer from.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup?: u16;
}

/**
 * Options of `submit.recv`. Fields not given are zero.
 *
 * Receive bytes from a socket; res is the byte count, 0 when the peer closed.
 *
 * Opcode IORING_OP_RECV (27).
 * Its op-flag word is `msgFlags`.
 */
export interface RecvOptions extends SqeCommon {
  /**
   * The socket to receive from (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The buffer to receive into (leave out with `bufferSelect`).
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * How many bytes to receive at most.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * MSG_* flags (MSG_WAITALL, MSG_PEEK, MSG_TRUNC, …).
   *
   * SQE field `msg_flags`, u32 at byte 28.
   */
  msgFlags?: u32;
  /**
   * IORING_RECVSEND_* bits: POLL_FIRST (1), IORING_RECV_MULTISHOT (2), BUNDLE (0x10) with `bufferSelect`.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * With `bufferSelect`: the provided-buffer group the kernel picks the buffer from.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup?: u16;
}

/**
 * Options of `submit.sendmsg`. Fields not given are zero.
 *
 * Send a message described by a `struct msghdr` (sendmsg).
 *
 * Opcode IORING_OP_SENDMSG (9).
 * Its op-flag word is `msgFlags`.
 */
export interface SendmsgOptions extends SqeCommon {
  /**
   * The socket to send on (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of a `struct msghdr`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * MSG_* flags.
   *
   * SQE field `msg_flags`, u32 at byte 28.
   */
  msgFlags?: u32;
  /**
   * IORING_RECVSEND_* bits: POLL_FIRST (1).
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
}

/**
 * Options of `submit.recvmsg`. Fields not given are zero.
 *
 * Receive a message into a `struct msghdr` (recvmsg).
 *
 * Opcode IORING_OP_RECVMSG (10).
 * Its op-flag word is `msgFlags`.
 */
export interface RecvmsgOptions extends SqeCommon {
  /**
   * The socket to receive from (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of a `struct msghdr`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * With `bufferSelect`: the most bytes to take from the selected buffer.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * MSG_* flags.
   *
   * SQE field `msg_flags`, u32 at byte 28.
   */
  msgFlags?: u32;
  /**
   * IORING_RECVSEND_* bits: POLL_FIRST (1), IORING_RECV_MULTISHOT (2).
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * With `bufferSelect`: the provided-buffer group the kernel picks the buffer from.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup?: u16;
}

/**
 * Options of `submit.openat`. Fields not given are zero.
 *
 * Open a file (openat); res is the new fd, or 0 when installed into `fileIndex`.
 *
 * Opcode IORING_OP_OPENAT (18).
 * Its op-flag word is `openFlags`.
 * The kernel rejects `fixedFile` for this op.
 */
export interface OpenatOptions extends SqeCommon {
  /**
   * The directory that a relative path is resolved from (AT_FDCWD = -100: the current directory).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the NUL-terminated path.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The mode for a file that O_CREAT creates (e.g. 0o644).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * O_* flags (O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT, O_TRUNC, …).
   *
   * SQE field `open_flags`, u32 at byte 28.
   */
  openFlags?: u32;
  /**
   * Install the new file into this registered-file slot plus one (0: return a normal fd).
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
}

/**
 * Options of `submit.close`. Fields not given are zero.
 *
 * Close a file descriptor, or with `fileIndex` a registered-file slot.
 *
 * Opcode IORING_OP_CLOSE (19).
 * The kernel rejects `fixedFile` for this op.
 */
export interface CloseOptions extends SqeCommon {
  /**
   * The descriptor to close (a normal fd: `fixedFile` is rejected; use `fileIndex`).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd?: i32;
  /**
   * Close this registered-file slot plus one instead of `fd`.
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
}

/**
 * Options of `submit.statx`. Fields not given are zero.
 *
 * Get a file's status (statx).
 *
 * Opcode IORING_OP_STATX (21).
 * Its op-flag word is `statxFlags`.
 * The kernel rejects `fixedFile` for this op.
 */
export interface StatxOptions extends SqeCommon {
  /**
   * The directory that a relative path is resolved from (AT_FDCWD = -100: the current directory).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the NUL-terminated path ("" with AT_EMPTY_PATH: `fd` itself).
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The STATX_* mask of fields wanted.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * The address of the `struct statx` to fill.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2: u64;
  /**
   * AT_* flags (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, AT_STATX_*).
   *
   * SQE field `statx_flags`, u32 at byte 28.
   */
  statxFlags?: u32;
}

/**
 * Options of `submit.shutdown`. Fields not given are zero.
 *
 * Shut down part of a full-duplex connection (shutdown).
 *
 * Opcode IORING_OP_SHUTDOWN (34).
 */
export interface ShutdownOptions extends SqeCommon {
  /**
   * The socket to shut down (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * How: SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
}

/**
 * Options of `submit.socket`. Fields not given are zero.
 *
 * Create a socket (socket); res is the new fd, or 0 when installed into `fileIndex`.
 *
 * Opcode IORING_OP_SOCKET (45).
 */
export interface SocketOptions extends SqeCommon {
  /**
   * The domain: AF_INET = 2, AF_INET6 = 10, AF_UNIX = 1, …
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The type: SOCK_STREAM = 1, SOCK_DGRAM = 2, optionally with SOCK_NONBLOCK / SOCK_CLOEXEC.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off: u64;
  /**
   * The protocol (0: the type's default).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * Install the new file into this registered-file slot plus one (0: return a normal fd).
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
}

/**
 * Options of `submit.syncFileRange`. Fields not given are zero.
 *
 * Sync a range of a file (sync_file_range).
 *
 * Opcode IORING_OP_SYNC_FILE_RANGE (8).
 * Its op-flag word is `syncRangeFlags`.
 */
export interface SyncFileRangeOptions extends SqeCommon {
  /**
   * The file to sync (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The start of the range.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The length of the range (0: to the end of the file).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * SYNC_FILE_RANGE_WAIT_BEFORE / _WRITE / _WAIT_AFTER.
   *
   * SQE field `sync_range_flags`, u32 at byte 28.
   */
  syncRangeFlags?: u32;
}

/**
 * Options of `submit.timeoutRemove`. Fields not given are zero.
 *
 * Cancel, or with IORING_TIMEOUT_UPDATE re-time, a pending timeout.
 *
 * Opcode IORING_OP_TIMEOUT_REMOVE (12).
 * Its op-flag word is `timeoutFlags`.
 */
export interface TimeoutRemoveOptions extends SqeCommon {
  /**
   * The `userData` of the timeout to remove or update.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * With IORING_TIMEOUT_UPDATE: the address of the new `struct __kernel_timespec`.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * IORING_TIMEOUT_UPDATE (2) and IORING_TIMEOUT_ABS; 0 removes.
   *
   * SQE field `timeout_flags`, u32 at byte 28.
   */
  timeoutFlags?: u32;
}

/**
 * Options of `submit.fallocate`. Fields not given are zero.
 *
 * Allocate or punch space in a file (fallocate).
 *
 * Opcode IORING_OP_FALLOCATE (17).
 */
export interface FallocateOptions extends SqeCommon {
  /**
   * The file to change (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The start of the range.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The length of the range in bytes (a value, not a pointer).
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The FALLOC_FL_* mode (0: allocate).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
}

/**
 * Options of `submit.fadvise`. Fields not given are zero.
 *
 * Declare an access pattern for a file range (posix_fadvise).
 *
 * Opcode IORING_OP_FADVISE (24).
 * Its op-flag word is `fadviseAdvice`.
 */
export interface FadviseOptions extends SqeCommon {
  /**
   * The file to advise on (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The start of the range.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The length of the range (0: to the end of the file).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * POSIX_FADV_* (NORMAL 0, RANDOM 1, SEQUENTIAL 2, WILLNEED 3, DONTNEED 4, NOREUSE 5).
   *
   * SQE field `fadvise_advice`, u32 at byte 28.
   */
  fadviseAdvice?: u32;
}

/**
 * Options of `submit.madvise`. Fields not given are zero.
 *
 * Declare an access pattern for a memory range (madvise).
 *
 * Opcode IORING_OP_MADVISE (25).
 * Its op-flag word is `fadviseAdvice`.
 */
export interface MadviseOptions extends SqeCommon {
  /**
   * The start of the memory range.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The length of the range in bytes.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * MADV_* advice.
   *
   * SQE field `fadvise_advice`, u32 at byte 28.
   */
  fadviseAdvice?: u32;
}

/**
 * Options of `submit.splice`. Fields not given are zero.
 *
 * Move bytes between two files, one of them a pipe (splice).
 *
 * Opcode IORING_OP_SPLICE (30).
 * Its op-flag word is `spliceFlags`.
 */
export interface SpliceOptions extends SqeCommon {
  /**
   * The output file.
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The offset in the output file (all ones: its file position; must be all ones for a pipe).
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The input file (registered when SPLICE_F_FD_IN_FIXED is in `spliceFlags`).
   *
   * SQE field `splice_fd_in`, i32 at byte 44.
   */
  spliceFdIn: i32;
  /**
   * The offset in the input file (all ones: its file position; must be all ones for a pipe).
   *
   * SQE field `splice_off_in`, u64 at byte 16.
   */
  spliceOffIn?: u64;
  /**
   * How many bytes to move.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * SPLICE_F_* flags, and SPLICE_F_FD_IN_FIXED.
   *
   * SQE field `splice_flags`, u32 at byte 28.
   */
  spliceFlags?: u32;
}

/**
 * Options of `submit.tee`. Fields not given are zero.
 *
 * Duplicate bytes from one pipe to another without consuming them (tee).
 *
 * Opcode IORING_OP_TEE (33).
 * Its op-flag word is `spliceFlags`.
 */
export interface TeeOptions extends SqeCommon {
  /**
   * The output pipe.
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The input pipe.
   *
   * SQE field `splice_fd_in`, i32 at byte 44.
   */
  spliceFdIn: i32;
  /**
   * How many bytes to duplicate.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * SPLICE_F_* flags, and SPLICE_F_FD_IN_FIXED.
   *
   * SQE field `splice_flags`, u32 at byte 28.
   */
  spliceFlags?: u32;
}

/**
 * Options of `submit.filesUpdate`. Fields not given are zero.
 *
 * Replace entries of the ring's registered-file table.
 *
 * Opcode IORING_OP_FILES_UPDATE (20).
 */
export interface FilesUpdateOptions extends SqeCommon {
  /**
   * The address of an array of `int` fds (-1 clears a slot).
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * How many entries the array holds.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The first slot to update.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
}

/**
 * Options of `submit.provideBuffers`. Fields not given are zero.
 *
 * Hand the kernel buffers for `bufferSelect` requests.
 *
 * Opcode IORING_OP_PROVIDE_BUFFERS (31).
 */
export interface ProvideBuffersOptions extends SqeCommon {
  /**
   * How many buffers to provide.
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The start of the first buffer; the rest follow contiguously.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The size of each buffer.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The id of the first buffer; the rest count up.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The group the buffers join.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup: u16;
}

/**
 * Options of `submit.removeBuffers`. Fields not given are zero.
 *
 * Take provided buffers back from a group.
 *
 * Opcode IORING_OP_REMOVE_BUFFERS (32).
 */
export interface RemoveBuffersOptions extends SqeCommon {
  /**
   * How many buffers to remove.
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The group to remove them from.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup: u16;
}

/**
 * Options of `submit.epollCtl`. Fields not given are zero.
 *
 * Change an epoll interest list (epoll_ctl).
 *
 * Opcode IORING_OP_EPOLL_CTL (29).
 */
export interface EpollCtlOptions extends SqeCommon {
  /**
   * The epoll instance.
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the `struct epoll_event`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * The operation: EPOLL_CTL_ADD 1, _DEL 2, _MOD 3.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The target file descriptor.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off: u64;
}

/**
 * Options of `submit.openat2`. Fields not given are zero.
 *
 * Open a file with a `struct open_how` (openat2).
 *
 * Opcode IORING_OP_OPENAT2 (28).
 * The kernel rejects `fixedFile` for this op.
 */
export interface Openat2Options extends SqeCommon {
  /**
   * The directory that a relative path is resolved from (AT_FDCWD = -100: the current directory).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the NUL-terminated path.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The size of the `struct open_how` (24).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * The address of the `struct open_how`.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2: u64;
  /**
   * Install the new file into this registered-file slot plus one (0: return a normal fd).
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
}

/**
 * Options of `submit.renameat`. Fields not given are zero.
 *
 * Rename a file (renameat2).
 *
 * Opcode IORING_OP_RENAMEAT (35).
 * Its op-flag word is `renameFlags`.
 * The kernel rejects `fixedFile` for this op.
 */
export interface RenameatOptions extends SqeCommon {
  /**
   * The directory that the old path is resolved from (AT_FDCWD = -100).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the old path.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The directory that the new path is resolved from (as a u32: AT_FDCWD is u32(-100)).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * The address of the new path.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2: u64;
  /**
   * RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT.
   *
   * SQE field `rename_flags`, u32 at byte 28.
   */
  renameFlags?: u32;
}

/**
 * Options of `submit.unlinkat`. Fields not given are zero.
 *
 * Remove a file or, with AT_REMOVEDIR, a directory (unlinkat).
 *
 * Opcode IORING_OP_UNLINKAT (36).
 * Its op-flag word is `unlinkFlags`.
 * The kernel rejects `fixedFile` for this op.
 */
export interface UnlinkatOptions extends SqeCommon {
  /**
   * The directory that a relative path is resolved from (AT_FDCWD = -100: the current directory).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the path.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * AT_REMOVEDIR (0x200) to remove a directory.
   *
   * SQE field `unlink_flags`, u32 at byte 28.
   */
  unlinkFlags?: u32;
}

/**
 * Options of `submit.mkdirat`. Fields not given are zero.
 *
 * Create a directory (mkdirat).
 *
 * Opcode IORING_OP_MKDIRAT (37).
 * The kernel rejects `fixedFile` for this op.
 */
export interface MkdiratOptions extends SqeCommon {
  /**
   * The directory that a relative path is resolved from (AT_FDCWD = -100: the current directory).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the path.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The new directory's mode.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
}

/**
 * Options of `submit.symlinkat`. Fields not given are zero.
 *
 * Create a symbolic link (symlinkat).
 *
 * Opcode IORING_OP_SYMLINKAT (38).
 * The kernel rejects `fixedFile` for this op.
 */
export interface SymlinkatOptions extends SqeCommon {
  /**
   * The directory that the link path is resolved from (AT_FDCWD = -100).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the link's target string.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The address of the link path.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2: u64;
}

/**
 * Options of `submit.linkat`. Fields not given are zero.
 *
 * Create a hard link (linkat).
 *
 * Opcode IORING_OP_LINKAT (39).
 * Its op-flag word is `hardlinkFlags`.
 * The kernel rejects `fixedFile` for this op.
 */
export interface LinkatOptions extends SqeCommon {
  /**
   * The directory that the old path is resolved from (AT_FDCWD = -100).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the old path.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The directory that the new path is resolved from (as a u32).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * The address of the new path.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2: u64;
  /**
   * AT_SYMLINK_FOLLOW, AT_EMPTY_PATH.
   *
   * SQE field `hardlink_flags`, u32 at byte 28.
   */
  hardlinkFlags?: u32;
}

/**
 * Options of `submit.msgRing`. Fields not given are zero.
 *
 * Post a CQE to another ring (or pass it a registered file).
 *
 * Opcode IORING_OP_MSG_RING (40).
 * Its op-flag word is `msgRingFlags`.
 */
export interface MsgRingOptions extends SqeCommon {
  /**
   * The target ring's fd (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The command: IORING_MSG_DATA (0) posts a CQE; IORING_MSG_SEND_FD (1) passes a file.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * The `res` of the CQE posted to the target ring.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * The `userData` of the CQE posted to the target ring.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * With IORING_MSG_SEND_FD: the registered-file index to pass.
   *
   * SQE field `addr3`, u64 at byte 48.
   */
  addr3?: u64;
  /**
   * With IORING_MSG_SEND_FD: the target slot plus one; with IORING_MSG_RING_FLAGS_PASS: the CQE flags.
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
  /**
   * IORING_MSG_RING_CQE_SKIP (1), IORING_MSG_RING_FLAGS_PASS (2).
   *
   * SQE field `msg_ring_flags`, u32 at byte 28.
   */
  msgRingFlags?: u32;
}

/**
 * Options of `submit.sendZc`. Fields not given are zero.
 *
 * Send without copying; a second CQE (flag NOTIF) says when the buffer is free again.
 *
 * Opcode IORING_OP_SEND_ZC (47).
 * Its op-flag word is `msgFlags`.
 */
export interface SendZcOptions extends SqeCommon {
  /**
   * The socket to send on (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The buffer holding the bytes to send.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * How many bytes to send.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len: u32;
  /**
   * MSG_* flags.
   *
   * SQE field `msg_flags`, u32 at byte 28.
   */
  msgFlags?: u32;
  /**
   * IORING_RECVSEND_FIXED_BUF, IORING_SEND_ZC_REPORT_USAGE, …
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * For sendto: the address of the destination `struct sockaddr`.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2?: u64;
  /**
   * For sendto: the length of the destination address.
   *
   * SQE field `addr_len`, u16 at byte 44.
   */
  addrLen?: u16;
  /**
   * With IORING_RECVSEND_FIXED_BUF: the registered buffer `addr` lies in.
   *
   * SQE field `buf_index`, u16 at byte 40.
   */
  bufIndex?: u16;
}

/**
 * Options of `submit.readMultishot`. Fields not given are zero.
 *
 * Read repeatedly into provided buffers, one CQE per read, while data comes.
 *
 * Opcode IORING_OP_READ_MULTISHOT (49).
 * The compiler sets `bufferSelect` itself.
 */
export interface ReadMultishotOptions extends SqeCommon {
  /**
   * The file to read from (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The most bytes per read (0: the provided buffer's size).
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * The file offset to start at; all ones (`u64(-1)`) means the current file position.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * The provided-buffer group to read into.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup: u16;
}

/**
 * Options of `submit.ftruncate`. Fields not given are zero.
 *
 * Set a file's length (ftruncate).
 *
 * Opcode IORING_OP_FTRUNCATE (55).
 */
export interface FtruncateOptions extends SqeCommon {
  /**
   * The file to truncate (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The new length in bytes.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off: u64;
}

/**
 * Options of `submit.bind`. Fields not given are zero.
 *
 * Bind a socket to an address (bind).
 *
 * Opcode IORING_OP_BIND (56).
 */
export interface BindOptions extends SqeCommon {
  /**
   * The socket to bind (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The address of the `struct sockaddr`.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * The length of that sockaddr in bytes (a value, not a pointer).
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2: u64;
}

/**
 * Options of `submit.listen`. Fields not given are zero.
 *
 * Mark a socket as accepting connections (listen).
 *
 * Opcode IORING_OP_LISTEN (57).
 */
export interface ListenOptions extends SqeCommon {
  /**
   * The socket to listen on (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * The backlog.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
}

/**
 * Options of `submit.fixedFdInstall`. Fields not given are zero.
 *
 * Turn a registered file into a normal fd; res is the fd.
 *
 * Opcode IORING_OP_FIXED_FD_INSTALL (54).
 * Its op-flag word is `installFdFlags`.
 * The compiler sets `fixedFile` itself.
 */
export interface FixedFdInstallOptions extends SqeCommon {
  /**
   * The registered-file index.
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd: i32;
  /**
   * IORING_FIXED_FD_NO_CLOEXEC (1) to leave close-on-exec off.
   *
   * SQE field `install_fd_flags`, u32 at byte 28.
   */
  installFdFlags?: u32;
}

/**
 * Options of `submit.pipe`. Fields not given are zero.
 *
 * Create a pipe (pipe2); its two fds are stored at `addr`.
 *
 * Opcode IORING_OP_PIPE (62).
 * Its op-flag word is `pipeFlags`.
 */
export interface PipeOptions extends SqeCommon {
  /**
   * The address of an `int[2]` that receives the read and write ends.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr: u64;
  /**
   * O_CLOEXEC, O_NONBLOCK, O_DIRECT.
   *
   * SQE field `pipe_flags`, u32 at byte 28.
   */
  pipeFlags?: u32;
  /**
   * Install the new file into this registered-file slot plus one (0: return a normal fd).
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
}

/**
 * Options of `submit.sqe`: any opcode, every SQE field. Fields not given are zero.
 * Fields that share bytes (for example `off` and `addr2`) cannot both be given.
 */
export interface SqeOptions extends SqeCommon {
  /**
   * The operation number (IORING_OP_*); only `submit.sqe` takes it, the named ops set it.
   *
   * SQE field `opcode`, u8 at byte 0.
   */
  opcode: u8;
  /**
   * I/O priority for reads and writes; a bit set of per-op modifiers for send, recv and accept.
   *
   * SQE field `ioprio`, u16 at byte 2.
   */
  ioprio?: u16;
  /**
   * The file descriptor the operation works on (a registered-file index when `fixedFile` is set).
   *
   * SQE field `fd`, i32 at byte 4.
   */
  fd?: i32;
  /**
   * The file offset, or another 64-bit operand for ops that are not positional.
   *
   * SQE field `off`, u64 at byte 8.
   */
  off?: u64;
  /**
   * A second address-sized operand, sharing the bytes of `off`.
   *
   * SQE field `addr2`, u64 at byte 8.
   */
  addr2?: u64;
  /**
   * The command number of a passthrough command (IORING_OP_URING_CMD).
   *
   * SQE field `cmd_op`, u32 at byte 8.
   */
  cmdOp?: u32;
  /**
   * The main user-space address: a buffer, an iovec array, a path or a struct, per op.
   *
   * SQE field `addr`, u64 at byte 16.
   */
  addr?: u64;
  /**
   * The offset in the input file of a splice (all ones: use the file position).
   *
   * SQE field `splice_off_in`, u64 at byte 16.
   */
  spliceOffIn?: u64;
  /**
   * The socket option level (socket passthrough commands).
   *
   * SQE field `level`, u32 at byte 16.
   */
  level?: u32;
  /**
   * The socket option name (socket passthrough commands).
   *
   * SQE field `optname`, u32 at byte 20.
   */
  optname?: u32;
  /**
   * A length or count: bytes for buffers, entries for vectors, or a per-op operand.
   *
   * SQE field `len`, u32 at byte 24.
   */
  len?: u32;
  /**
   * RWF_* flags of a read or write (as for preadv2/pwritev2).
   *
   * SQE field `rw_flags`, i32 at byte 28.
   */
  rwFlags?: i32;
  /**
   * IORING_FSYNC_* flags of an fsync.
   *
   * SQE field `fsync_flags`, u32 at byte 28.
   */
  fsyncFlags?: u32;
  /**
   * The poll event mask (POLLIN, POLLOUT, …) of a poll request.
   *
   * SQE field `poll32_events`, u32 at byte 28.
   */
  pollEvents?: u32;
  /**
   * SYNC_FILE_RANGE_* flags of a sync_file_range.
   *
   * SQE field `sync_range_flags`, u32 at byte 28.
   */
  syncRangeFlags?: u32;
  /**
   * MSG_* flags of a socket send or receive.
   *
   * SQE field `msg_flags`, u32 at byte 28.
   */
  msgFlags?: u32;
  /**
   * IORING_TIMEOUT_* flags of a timeout.
   *
   * SQE field `timeout_flags`, u32 at byte 28.
   */
  timeoutFlags?: u32;
  /**
   * SOCK_* flags of the accepted socket (as for accept4).
   *
   * SQE field `accept_flags`, u32 at byte 28.
   */
  acceptFlags?: u32;
  /**
   * IORING_ASYNC_CANCEL_* flags saying how to match requests to cancel.
   *
   * SQE field `cancel_flags`, u32 at byte 28.
   */
  cancelFlags?: u32;
  /**
   * O_* flags of an open.
   *
   * SQE field `open_flags`, u32 at byte 28.
   */
  openFlags?: u32;
  /**
   * AT_* flags of a statx.
   *
   * SQE field `statx_flags`, u32 at byte 28.
   */
  statxFlags?: u32;
  /**
   * The POSIX_FADV_* or MADV_* advice value.
   *
   * SQE field `fadvise_advice`, u32 at byte 28.
   */
  fadviseAdvice?: u32;
  /**
   * SPLICE_F_* flags of a splice or tee.
   *
   * SQE field `splice_flags`, u32 at byte 28.
   */
  spliceFlags?: u32;
  /**
   * RENAME_* flags of a rename.
   *
   * SQE field `rename_flags`, u32 at byte 28.
   */
  renameFlags?: u32;
  /**
   * AT_REMOVEDIR or 0 for an unlink.
   *
   * SQE field `unlink_flags`, u32 at byte 28.
   */
  unlinkFlags?: u32;
  /**
   * AT_* flags of a link.
   *
   * SQE field `hardlink_flags`, u32 at byte 28.
   */
  hardlinkFlags?: u32;
  /**
   * XATTR_* flags of an extended-attribute call.
   *
   * SQE field `xattr_flags`, u32 at byte 28.
   */
  xattrFlags?: u32;
  /**
   * IORING_MSG_RING_* flags of a ring-to-ring message.
   *
   * SQE field `msg_ring_flags`, u32 at byte 28.
   */
  msgRingFlags?: u32;
  /**
   * IORING_URING_CMD_* flags of a passthrough command.
   *
   * SQE field `uring_cmd_flags`, u32 at byte 28.
   */
  uringCmdFlags?: u32;
  /**
   * Flags of a waitid.
   *
   * SQE field `waitid_flags`, u32 at byte 28.
   */
  waitidFlags?: u32;
  /**
   * Flags of a futex operation.
   *
   * SQE field `futex_flags`, u32 at byte 28.
   */
  futexFlags?: u32;
  /**
   * IORING_FIXED_FD_* flags of a fixed-file install.
   *
   * SQE field `install_fd_flags`, u32 at byte 28.
   */
  installFdFlags?: u32;
  /**
   * IORING_NOP_* flags of a no-op.
   *
   * SQE field `nop_flags`, u32 at byte 28.
   */
  nopFlags?: u32;
  /**
   * O_* flags of a pipe (as for pipe2).
   *
   * SQE field `pipe_flags`, u32 at byte 28.
   */
  pipeFlags?: u32;
  /**
   * The index of a registered buffer (fixed-buffer ops).
   *
   * SQE field `buf_index`, u16 at byte 40.
   */
  bufIndex?: u16;
  /**
   * The provided-buffer group to pick a buffer from when `bufferSelect` is set.
   *
   * SQE field `buf_group`, u16 at byte 40.
   */
  bufGroup?: u16;
  /**
   * The input file of a splice or tee.
   *
   * SQE field `splice_fd_in`, i32 at byte 44.
   */
  spliceFdIn?: i32;
  /**
   * A registered-file slot, plus one, to install the result into (0: return a normal fd).
   *
   * SQE field `file_index`, u32 at byte 44.
   */
  fileIndex?: u32;
  /**
   * The socket option length (socket passthrough commands).
   *
   * SQE field `optlen`, u32 at byte 44.
   */
  optlen?: u32;
  /**
   * The length of the destination address in `addr2` (send to an address).
   *
   * SQE field `addr_len`, u16 at byte 44.
   */
  addrLen?: u16;
  /**
   * A third address-sized operand.
   *
   * SQE field `addr3`, u64 at byte 48.
   */
  addr3?: u64;
  /**
   * The socket option value address (socket passthrough commands).
   *
   * SQE field `optval`, u64 at byte 48.
   */
  optval?: u64;
  /**
   * The address of per-request attributes.
   *
   * SQE field `attr_ptr`, u64 at byte 48.
   */
  attrPtr?: u64;
  /**
   * Which attribute types `attrPtr` points at.
   *
   * SQE field `attr_type_mask`, u64 at byte 56.
   */
  attrTypeMask?: u64;
}

/**
 * `submit.<op>({ … })` builds a 64-byte SQE and queues it. Each returns true when the SQE was
 * queued. Unknown fields, fields the op does not use and values that do not fit are compile errors.
 */
export interface Submit {
  /**
   * Do nothing; completes with res 0. Useful to test the ring or to pace a chain.
   *
   * Opcode IORING_OP_NOP (0).
   */
  nop(options: NopOptions): bool;
  /**
   * Read from a file into a buffer (pread; with an offset of all ones, read).
   *
   * Opcode IORING_OP_READ (22).
   * Its op-flag word is `rwFlags`.
   */
  read(options: ReadOptions): bool;
  /**
   * Write a buffer to a file (pwrite; with an offset of all ones, write).
   *
   * Opcode IORING_OP_WRITE (23).
   * Its op-flag word is `rwFlags`.
   */
  write(options: WriteOptions): bool;
  /**
   * Read from a file into several buffers (preadv2).
   *
   * Opcode IORING_OP_READV (1).
   * Its op-flag word is `rwFlags`.
   */
  readv(options: ReadvOptions): bool;
  /**
   * Write several buffers to a file (pwritev2).
   *
   * Opcode IORING_OP_WRITEV (2).
   * Its op-flag word is `rwFlags`.
   */
  writev(options: WritevOptions): bool;
  /**
   * Read into a registered buffer (no page pinning per request).
   *
   * Opcode IORING_OP_READ_FIXED (4).
   * Its op-flag word is `rwFlags`.
   */
  readFixed(options: ReadFixedOptions): bool;
  /**
   * Write from a registered buffer.
   *
   * Opcode IORING_OP_WRITE_FIXED (5).
   * Its op-flag word is `rwFlags`.
   */
  writeFixed(options: WriteFixedOptions): bool;
  /**
   * Flush a file's data (and metadata unless DATASYNC) to storage.
   *
   * Opcode IORING_OP_FSYNC (3).
   * Its op-flag word is `fsyncFlags`.
   */
  fsync(options: FsyncOptions): bool;
  /**
   * Wait until a file is ready (poll); res is the ready event mask.
   *
   * Opcode IORING_OP_POLL_ADD (6).
   * Its op-flag word is `pollEvents`.
   */
  pollAdd(options: PollAddOptions): bool;
  /**
   * Cancel, or with update flags modify, a pending poll request.
   *
   * Opcode IORING_OP_POLL_REMOVE (7).
   * Its op-flag word is `pollEvents`.
   */
  pollRemove(options: PollRemoveOptions): bool;
  /**
   * Complete after a time, or after a number of other completions, whichever is first.
   *
   * Opcode IORING_OP_TIMEOUT (11).
   * Its op-flag word is `timeoutFlags`.
   * The compiler sets `len` = 1 itself, as the kernel requires.
   */
  timeout(options: TimeoutOptions): bool;
  /**
   * Bound the request linked before this one: cancel it if it has not completed in time.
   *
   * Opcode IORING_OP_LINK_TIMEOUT (15).
   * Its op-flag word is `timeoutFlags`.
   * The compiler sets `len` = 1 itself, as the kernel requires.
   */
  linkTimeout(options: LinkTimeoutOptions): bool;
  /**
   * Cancel pending requests that match a `userData` (or an fd, or any, per flags).
   *
   * Opcode IORING_OP_ASYNC_CANCEL (14).
   * Its op-flag word is `cancelFlags`.
   */
  cancel(options: CancelOptions): bool;
  /**
   * Accept a connection on a listening socket; res is the new socket's fd.
   *
   * Opcode IORING_OP_ACCEPT (13).
   * Its op-flag word is `acceptFlags`.
   */
  accept(options: AcceptOptions): bool;
  /**
   * Connect a socket to an address.
   *
   * Opcode IORING_OP_CONNECT (16).
   */
  connect(options: ConnectOptions): bool;
  /**
   * Send bytes on a socket (send, or sendto with `addr2`).
   *
   * Opcode IORING_OP_SEND (26).
   * Its op-flag word is `msgFlags`.
   */
  send(options: SendOptions): bool;
  /**
   * Receive bytes from a socket; res is the byte count, 0 when the peer closed.
   *
   * Opcode IORING_OP_RECV (27).
   * Its op-flag word is `msgFlags`.
   */
  recv(options: RecvOptions): bool;
  /**
   * Send a message described by a `struct msghdr` (sendmsg).
   *
   * Opcode IORING_OP_SENDMSG (9).
   * Its op-flag word is `msgFlags`.
   */
  sendmsg(options: SendmsgOptions): bool;
  /**
   * Receive a message into a `struct msghdr` (recvmsg).
   *
   * Opcode IORING_OP_RECVMSG (10).
   * Its op-flag word is `msgFlags`.
   */
  recvmsg(options: RecvmsgOptions): bool;
  /**
   * Open a file (openat); res is the new fd, or 0 when installed into `fileIndex`.
   *
   * Opcode IORING_OP_OPENAT (18).
   * Its op-flag word is `openFlags`.
   * The kernel rejects `fixedFile` for this op.
   */
  openat(options: OpenatOptions): bool;
  /**
   * Close a file descriptor, or with `fileIndex` a registered-file slot.
   *
   * Opcode IORING_OP_CLOSE (19).
   * The kernel rejects `fixedFile` for this op.
   */
  close(options: CloseOptions): bool;
  /**
   * Get a file's status (statx).
   *
   * Opcode IORING_OP_STATX (21).
   * Its op-flag word is `statxFlags`.
   * The kernel rejects `fixedFile` for this op.
   */
  statx(options: StatxOptions): bool;
  /**
   * Shut down part of a full-duplex connection (shutdown).
   *
   * Opcode IORING_OP_SHUTDOWN (34).
   */
  shutdown(options: ShutdownOptions): bool;
  /**
   * Create a socket (socket); res is the new fd, or 0 when installed into `fileIndex`.
   *
   * Opcode IORING_OP_SOCKET (45).
   */
  socket(options: SocketOptions): bool;
  /**
   * Sync a range of a file (sync_file_range).
   *
   * Opcode IORING_OP_SYNC_FILE_RANGE (8).
   * Its op-flag word is `syncRangeFlags`.
   */
  syncFileRange(options: SyncFileRangeOptions): bool;
  /**
   * Cancel, or with IORING_TIMEOUT_UPDATE re-time, a pending timeout.
   *
   * Opcode IORING_OP_TIMEOUT_REMOVE (12).
   * Its op-flag word is `timeoutFlags`.
   */
  timeoutRemove(options: TimeoutRemoveOptions): bool;
  /**
   * Allocate or punch space in a file (fallocate).
   *
   * Opcode IORING_OP_FALLOCATE (17).
   */
  fallocate(options: FallocateOptions): bool;
  /**
   * Declare an access pattern for a file range (posix_fadvise).
   *
   * Opcode IORING_OP_FADVISE (24).
   * Its op-flag word is `fadviseAdvice`.
   */
  fadvise(options: FadviseOptions): bool;
  /**
   * Declare an access pattern for a memory range (madvise).
   *
   * Opcode IORING_OP_MADVISE (25).
   * Its op-flag word is `fadviseAdvice`.
   */
  madvise(options: MadviseOptions): bool;
  /**
   * Move bytes between two files, one of them a pipe (splice).
   *
   * Opcode IORING_OP_SPLICE (30).
   * Its op-flag word is `spliceFlags`.
   */
  splice(options: SpliceOptions): bool;
  /**
   * Duplicate bytes from one pipe to another without consuming them (tee).
   *
   * Opcode IORING_OP_TEE (33).
   * Its op-flag word is `spliceFlags`.
   */
  tee(options: TeeOptions): bool;
  /**
   * Replace entries of the ring's registered-file table.
   *
   * Opcode IORING_OP_FILES_UPDATE (20).
   */
  filesUpdate(options: FilesUpdateOptions): bool;
  /**
   * Hand the kernel buffers for `bufferSelect` requests.
   *
   * Opcode IORING_OP_PROVIDE_BUFFERS (31).
   */
  provideBuffers(options: ProvideBuffersOptions): bool;
  /**
   * Take provided buffers back from a group.
   *
   * Opcode IORING_OP_REMOVE_BUFFERS (32).
   */
  removeBuffers(options: RemoveBuffersOptions): bool;
  /**
   * Change an epoll interest list (epoll_ctl).
   *
   * Opcode IORING_OP_EPOLL_CTL (29).
   */
  epollCtl(options: EpollCtlOptions): bool;
  /**
   * Open a file with a `struct open_how` (openat2).
   *
   * Opcode IORING_OP_OPENAT2 (28).
   * The kernel rejects `fixedFile` for this op.
   */
  openat2(options: Openat2Options): bool;
  /**
   * Rename a file (renameat2).
   *
   * Opcode IORING_OP_RENAMEAT (35).
   * Its op-flag word is `renameFlags`.
   * The kernel rejects `fixedFile` for this op.
   */
  renameat(options: RenameatOptions): bool;
  /**
   * Remove a file or, with AT_REMOVEDIR, a directory (unlinkat).
   *
   * Opcode IORING_OP_UNLINKAT (36).
   * Its op-flag word is `unlinkFlags`.
   * The kernel rejects `fixedFile` for this op.
   */
  unlinkat(options: UnlinkatOptions): bool;
  /**
   * Create a directory (mkdirat).
   *
   * Opcode IORING_OP_MKDIRAT (37).
   * The kernel rejects `fixedFile` for this op.
   */
  mkdirat(options: MkdiratOptions): bool;
  /**
   * Create a symbolic link (symlinkat).
   *
   * Opcode IORING_OP_SYMLINKAT (38).
   * The kernel rejects `fixedFile` for this op.
   */
  symlinkat(options: SymlinkatOptions): bool;
  /**
   * Create a hard link (linkat).
   *
   * Opcode IORING_OP_LINKAT (39).
   * Its op-flag word is `hardlinkFlags`.
   * The kernel rejects `fixedFile` for this op.
   */
  linkat(options: LinkatOptions): bool;
  /**
   * Post a CQE to another ring (or pass it a registered file).
   *
   * Opcode IORING_OP_MSG_RING (40).
   * Its op-flag word is `msgRingFlags`.
   */
  msgRing(options: MsgRingOptions): bool;
  /**
   * Send without copying; a second CQE (flag NOTIF) says when the buffer is free again.
   *
   * Opcode IORING_OP_SEND_ZC (47).
   * Its op-flag word is `msgFlags`.
   */
  sendZc(options: SendZcOptions): bool;
  /**
   * Read repeatedly into provided buffers, one CQE per read, while data comes.
   *
   * Opcode IORING_OP_READ_MULTISHOT (49).
   * The compiler sets `bufferSelect` itself.
   */
  readMultishot(options: ReadMultishotOptions): bool;
  /**
   * Set a file's length (ftruncate).
   *
   * Opcode IORING_OP_FTRUNCATE (55).
   */
  ftruncate(options: FtruncateOptions): bool;
  /**
   * Bind a socket to an address (bind).
   *
   * Opcode IORING_OP_BIND (56).
   */
  bind(options: BindOptions): bool;
  /**
   * Mark a socket as accepting connections (listen).
   *
   * Opcode IORING_OP_LISTEN (57).
   */
  listen(options: ListenOptions): bool;
  /**
   * Turn a registered file into a normal fd; res is the fd.
   *
   * Opcode IORING_OP_FIXED_FD_INSTALL (54).
   * Its op-flag word is `installFdFlags`.
   * The compiler sets `fixedFile` itself.
   */
  fixedFdInstall(options: FixedFdInstallOptions): bool;
  /**
   * Create a pipe (pipe2); its two fds are stored at `addr`.
   *
   * Opcode IORING_OP_PIPE (62).
   * Its op-flag word is `pipeFlags`.
   */
  pipe(options: PipeOptions): bool;
  /**
   * Queue an SQE built field by field, for any opcode; fields not given are zero.
   *
   * Opcodes 0..64 (IORING_OP_NOP..IORING_OP_URING_CMD128); a target rejects opcodes its kernel lacks.
   */
  sqe(options: SqeOptions): bool;
}

/** Queue submission requests; one method per io_uring operation, plus `sqe` for raw SQEs. */
export declare const submit: Submit;

// ---- END GENERATED ----
