// An echo server: accept a connection, receive, send back what came, until the peer closes;
// then accept the next one, up to MAX_CONNS connections.
import { Cqe, submit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const LISTEN_FD: i32;
declare const BUF: u64;
declare const BUF_LEN: u32;
declare const MAX_CONNS: u32;

const enum Step {
  Accept = 1,
  Recv = 2,
  Send = 3,
  Close = 4,
}

let conns = 0;
let client: i32 = -1;

function accept(): void {
  submit.accept({ fd: LISTEN_FD, userData: Step.Accept });
}

function recv(): void {
  submit.recv({ fd: client, addr: BUF, len: BUF_LEN, userData: Step.Recv });
}

export function onStart(): void {
  accept();
}

export function onCompletion(cqe: Cqe): void {
  switch (cqe.userData) {
    case Step.Accept:
      if (cqe.res < 0) return stop();
      client = cqe.res;
      conns++;
      recv();
      break;
    case Step.Recv:
      if (cqe.res <= 0) {
        submit.close({ fd: client, userData: Step.Close });
        return;
      }
      submit.send({ fd: client, addr: BUF, len: u32(cqe.res), userData: Step.Send });
      break;
    case Step.Send:
      recv();
      break;
    case Step.Close:
      if (conns >= MAX_CONNS) stop();
      else accept();
      break;
  }
}
