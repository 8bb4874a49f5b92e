// Per-file statistics in an array map whose value is a struct with fixed arrays: completions
// are keyed by the registered-file index user space put in the upper 32 bits of userData;
// the low bits give the kind of operation (0 read, 1 write, 2 other).
import { Cqe, ArrayMap, FixedArray, u8, u32, u64, i32 } from "ioubpf/lang";

const KINDS = 3;
const FILES = 256;

interface FileStats {
  ops: FixedArray<u64, 3>;
  bytes: FixedArray<u64, 3>;
  lastRes: i32;
  errors: u32;
  lastKind: u8;
}

const files = new ArrayMap<u32, FileStats>(FILES);

export function onCompletion(cqe: Cqe): void {
  const file = u32(cqe.userData >> 32);
  let kind = u32(cqe.userData & 0xffffffff);
  if (kind >= KINDS) kind = KINDS - 1;
  const st = files.get(file);
  if (st === null) return; // file index out of range
  st.ops[kind] += 1;
  st.lastRes = cqe.res;
  st.lastKind = u8(kind);
  if (cqe.res < 0) {
    st.errors++;
  } else {
    st.bytes[kind] += u64(cqe.res);
  }
}
