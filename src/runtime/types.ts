// Public types of the runtime (`import { run } from "ioubpf/runtime"`).
import type { Diagnostic } from "../diagnostics/index.js";

export type RunMode = "native" | "emulate";

export interface EmitRecord {
  userData: bigint;
  res: number;
  flags: number;
}

export interface RunFailure {
  code: string;
  message: string;
}

export interface FdSpec {
  path: string;
  /** r: read only; w: create/truncate, write only; rw: read/write, created if missing. */
  access?: "r" | "w" | "rw";
}

export interface RunOptions {
  /** ELF bytes of a linux-7.1 object. */
  object: Uint8Array;
  /** File name for diagnostics. */
  file?: string;
  /** Program name (needed when the object holds several). */
  program?: string;
  /** `declare const` values. */
  set?: Record<string, bigint | number>;
  /** Files to open; the global gets the fd (also registered as fixed file slot fd). */
  fds?: Record<string, FdSpec>;
  /** Zeroed buffers of the given size; the global gets the address. */
  bufs?: Record<string, number>;
  /** Buffers holding these bytes (a NUL-terminated string for text); the global gets the address. */
  data?: Record<string, Uint8Array | string>;
  /** Listening TCP sockets on 127.0.0.1:port; the global gets the fd. */
  listen?: Record<string, number>;
  /** SQ entries (default 16) and CQ entries (default 64). */
  sq?: number;
  cq?: number;
  /** Default 10 000 ms. */
  timeoutMs?: number;
  /** auto: native when the kernel has io_uring_bpf_ops, else emulation. */
  mode?: "auto" | RunMode;
  /** Record every step (emulation: per-step return, wait index, instructions). */
  trace?: boolean;
  /** Called after the ring and listening sockets exist, before the program runs. */
  onReady?: (info: { mode: RunMode; ringFd: number }) => void;
}

export interface TraceStep {
  step: number;
  ret: number;
  cqWaitIdx: number;
  insns: number;
  cqTail: number;
}

export interface RunResult {
  ok: boolean;
  mode?: RunMode;
  /** Why the mode was chosen (auto) or why emulation ran. */
  modeReason?: string;
  stop?: "stopped" | "timeout" | "error";
  emits: EmitRecord[];
  /** `.bss`/`.data` globals after the run. */
  globals: Record<string, bigint>;
  /** Verifier's "processed N insns" (native). */
  processed?: number;
  /** loop_step calls (emulation: counted here; native: from `P__iou_steps` when present). */
  steps?: number;
  elapsedMs?: number;
  /** Ring flags actually used, and what differs from the contract. */
  ringFlags?: number;
  ringNotes?: string[];
  verifierLog?: string;
  trace?: TraceStep[];
  diagnostics: Diagnostic[];
}
