// Copy a file to a socket through a pipe, tee-ing every chunk into a second pipe that a
// logger reads: splice file→pipe, tee pipe→log pipe, splice pipe→socket, repeat.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const CHUNK = 65536;
const enum Tag {
  FileToPipe = 1,
  Tee = 2,
  PipeToSock = 3,
}

declare const FILE_FD: i32;
declare const PIPE_R: i32;
declare const PIPE_W: i32;
declare const LOG_PIPE_W: i32;
declare const SOCK: i32;

let fileOff: u64 = 0;
let chunk: u32 = 0;

export function onStart(): void {
  submit.splice({
    fd: PIPE_W,
    off: u64(-1),
    spliceFdIn: FILE_FD,
    spliceOffIn: fileOff,
    len: CHUNK,
    userData: Tag.FileToPipe,
  });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  }
  switch (cqe.userData) {
    case Tag.FileToPipe:
      if (cqe.res == 0) {
        emit({ userData: fileOff, res: 0 });
        stop();
        return;
      }
      chunk = u32(cqe.res);
      fileOff += u64(chunk);
      submit.tee({ fd: LOG_PIPE_W, spliceFdIn: PIPE_R, len: chunk, userData: Tag.Tee });
      break;
    case Tag.Tee:
      submit.splice({
        fd: SOCK,
        off: u64(-1),
        spliceFdIn: PIPE_R,
        spliceOffIn: u64(-1),
        len: chunk,
        userData: Tag.PipeToSock,
      });
      break;
    case Tag.PipeToSock:
      submit.splice({
        fd: PIPE_W,
        off: u64(-1),
        spliceFdIn: FILE_FD,
        spliceOffIn: fileOff,
        len: CHUNK,
        userData: Tag.FileToPipe,
      });
      break;
  }
}
