// Multiple CQs (iouring-v2): data reads complete on CQ 1, which this program watches;
// progress reports go to CQ 2 for a monitor thread, and the final result to CQ 0.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const DATA_CQ = 1;
const MONITOR_CQ = 2;
const REPORT_EVERY = 8;

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;
declare const TOTAL: u64;

let off: u64 = 0;
let reads: u32 = 0;

function next(): void {
  submit.read({ fd: FD, addr: BUF, len: LEN, off: off, cq: DATA_CQ, userData: off });
}

export function onStart(): void {
  next();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res <= 0) {
    emit({ userData: off, res: cqe.res, cq: 0 });
    stop();
    return;
  }
  off += u64(cqe.res);
  reads++;
  if (reads % REPORT_EVERY == 0) emit({ userData: off, res: i32(reads), flags: 0, cq: MONITOR_CQ });
  if (off >= TOTAL) {
    emit({ userData: off, res: 0 });
    stop();
    return;
  }
  next();
}
