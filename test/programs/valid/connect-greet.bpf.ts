// Client: connect to a server, send a greeting, half-close the write side, then close the
// socket; report the first failure or success at the end.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const MSG_NOSIGNAL = 0x4000;
const SHUT_WR = 1;
const enum Stage {
  Connect = 1,
  Send = 2,
  Shutdown = 3,
  Close = 4,
}

declare const SOCK: i32;
declare const PEER: u64; // struct sockaddr_in in user memory
declare const PEER_LEN: u64;
declare const GREETING: u64;
declare const GREETING_LEN: u32;

export function onStart(): void {
  submit.connect({ fd: SOCK, addr: PEER, addr2: PEER_LEN, userData: Stage.Connect });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    submit.close({ fd: SOCK, userData: Stage.Close });
    stop();
    return;
  }
  switch (cqe.userData) {
    case Stage.Connect:
      submit.send({
        fd: SOCK,
        addr: GREETING,
        len: GREETING_LEN,
        msgFlags: MSG_NOSIGNAL,
        userData: Stage.Send,
      });
      break;
    case Stage.Send:
      submit.shutdown({ fd: SOCK, len: SHUT_WR, userData: Stage.Shutdown });
      break;
    case Stage.Shutdown:
      submit.close({ fd: SOCK, userData: Stage.Close });
      break;
    case Stage.Close:
      emit({ userData: Stage.Close, res: 0 });
      stop();
      break;
  }
}
