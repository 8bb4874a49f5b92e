// Gather-read a record into an iovec array set up by user space, then scatter it to the
// output with writev; the iovecs describe header and body buffers.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const IN: i32;
declare const OUT: i32;
declare const IOVECS: u64; // struct iovec[NVEC] in user memory
declare const NVEC: u32; // entries in that array

const enum Op {
  Gather = 1,
  Scatter = 2,
}

let records: u64 = 0;
let inOff: u64 = 0;

export function onStart(): void {
  submit.readv({ fd: IN, addr: IOVECS, len: NVEC, off: inOff, userData: Op.Gather });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res <= 0) {
    emit({ userData: records, res: cqe.res });
    stop();
    return;
  }
  if (cqe.userData == Op.Gather) {
    inOff += u64(cqe.res);
    submit.writev({ fd: OUT, addr: IOVECS, len: NVEC, off: u64(-1), userData: Op.Scatter });
  } else {
    records++;
    submit.readv({ fd: IN, addr: IOVECS, len: NVEC, off: inOff, userData: Op.Gather });
  }
}
