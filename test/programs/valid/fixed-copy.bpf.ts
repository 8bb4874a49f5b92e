// Copy between two registered files through a registered buffer: readFixed, then
// writeFixed of exactly the bytes read, alternating until the input ends.
import { Cqe, submit, emit, stop, u16, u32, u64, i32 } from "ioubpf/lang";

const CHUNK = 64 * 1024;
const enum Step {
  Read = 10,
  Write = 11,
}

declare const SRC: i32;
declare const DST: i32;
declare const BUF: u64;
declare const BUF_INDEX: u16;

let pos: u64 = 0;

function readNext(): void {
  submit.readFixed({
    fd: SRC,
    fixedFile: true,
    addr: BUF,
    len: CHUNK,
    off: pos,
    bufIndex: BUF_INDEX,
    userData: Step.Read,
  });
}

export function onStart(): void {
  readNext();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  }
  if (cqe.userData == Step.Read) {
    if (cqe.res == 0) {
      emit({ userData: 0, res: i32(pos) });
      stop();
      return;
    }
    submit.writeFixed({
      fd: DST,
      fixedFile: true,
      addr: BUF,
      len: u32(cqe.res),
      off: pos,
      bufIndex: BUF_INDEX,
      userData: Step.Write,
    });
  } else {
    pos += u64(cqe.res);
    readNext();
  }
}
