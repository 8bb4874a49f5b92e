// An echo server: accept a connection, then recv → send the same bytes → recv … until the
// client closes; then close it and accept the next one. One connection at a time, so the
// userData only needs the stage.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const MSG_NOSIGNAL = 0x4000;
const SOCK_CLOEXEC = 0x80000;
const enum Stage {
  Accept = 1,
  Recv = 2,
  Send = 3,
  Close = 4,
}

declare const LISTEN_FD: i32; // a listening TCP socket
declare const BUF: u64; // user-space buffer of BUF_LEN bytes
declare const BUF_LEN: u32;
declare const MAX_CONNS: u64; // stop after serving this many connections (0: never)

let conn: i32 = -1; // the connection being served
let served: u64 = 0;
let echoed: u64 = 0;

function recv(): void {
  submit.recv({ fd: conn, addr: BUF, len: BUF_LEN, userData: Stage.Recv });
}

function accept(): void {
  submit.accept({ fd: LISTEN_FD, acceptFlags: SOCK_CLOEXEC, userData: Stage.Accept });
}

export function onStart(): void {
  accept();
}

export function onCompletion(cqe: Cqe): void {
  switch (cqe.userData) {
    case Stage.Accept:
      if (cqe.res < 0) {
        emit({ userData: Stage.Accept, res: cqe.res });
        stop();
        return;
      }
      conn = cqe.res;
      recv();
      break;
    case Stage.Recv:
      if (cqe.res <= 0) {
        // 0: the client closed; < 0: an error. Either way the connection is done.
        submit.close({ fd: conn, userData: Stage.Close });
        return;
      }
      submit.send({
        fd: conn,
        addr: BUF,
        len: u32(cqe.res),
        msgFlags: MSG_NOSIGNAL,
        userData: Stage.Send,
      });
      break;
    case Stage.Send:
      if (cqe.res < 0) {
        submit.close({ fd: conn, userData: Stage.Close });
        return;
      }
      echoed += u64(cqe.res);
      recv();
      break;
    case Stage.Close:
      served++;
      emit({ userData: echoed, res: i32(served) }); // one CQE per finished connection
      conn = -1;
      if (MAX_CONNS != 0 && served >= MAX_CONNS) {
        stop();
        return;
      }
      accept();
      break;
  }
}
