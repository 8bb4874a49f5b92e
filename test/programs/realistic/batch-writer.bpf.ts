// Batch small reads into large writes: bytes read are appended to a staging buffer, and a
// write is issued once THRESHOLD bytes are staged or the input ends.
import { Cqe, submit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const IN_FD: i32;
declare const OUT_FD: i32;
declare const STAGE: u64; // STAGE_LEN bytes
declare const STAGE_LEN: u32;

const READ_LEN = 512;
const THRESHOLD = 4096;
const READ = 1;
const WRITE = 2;

let staged: u32 = 0;
let inOff: u64 = 0;
let outOff: u64 = 0;
let eof = false;

function read(): void {
  if (staged + READ_LEN > STAGE_LEN) return flush();
  submit.read({ fd: IN_FD, addr: STAGE + staged, len: READ_LEN, off: inOff, userData: READ });
}

function flush(): void {
  submit.write({ fd: OUT_FD, addr: STAGE, len: staged, off: outOff, userData: WRITE });
}

export function onStart(): void {
  read();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) return stop();
  if (cqe.userData == READ) {
    if (cqe.res == 0) {
      eof = true;
      if (staged > 0) flush();
      else stop();
      return;
    }
    staged += u32(cqe.res);
    inOff += u64(cqe.res);
    if (staged >= THRESHOLD) flush();
    else read();
    return;
  }
  outOff += u64(cqe.res);
  staged = 0;
  if (eof) stop();
  else read();
}
