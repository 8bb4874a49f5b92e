// target: linux-7.1
// Build a TCP server entirely from io_uring: socket into a registered slot, bind, listen,
// then a multishot accept; results of each step are checked before the next.
import { Cqe, submit, stop, u32, u64, i32 } from "ioubpf/lang";

const AF_INET = 2;
const SOCK_STREAM = 1;
const BACKLOG = 128;
const IORING_ACCEPT_MULTISHOT = 1;
const enum Step {
  Socket = 1,
  Bind = 2,
  Listen = 3,
  Accept = 4,
}

declare const SLOT: u32;
declare const ADDR: u64; // struct sockaddr_in
declare const ADDR_LEN: u64;
declare const MAX_ACCEPTS: u64; // stop serving after this many connections

let accepted: u64 = 0;

function slotFd(): i32 {
  return i32(SLOT);
}

export function onStart(): void {
  submit.socket({
    fd: AF_INET,
    off: SOCK_STREAM,
    len: 0,
    fileIndex: SLOT + 1,
    userData: Step.Socket,
  });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    stop();
    return;
  }
  switch (cqe.userData) {
    case Step.Socket:
      submit.bind({
        fd: slotFd(),
        fixedFile: true,
        addr: ADDR,
        addr2: ADDR_LEN,
        userData: Step.Bind,
      });
      break;
    case Step.Bind:
      submit.listen({ fd: slotFd(), fixedFile: true, len: BACKLOG, userData: Step.Listen });
      break;
    case Step.Listen:
      submit.accept({
        fd: slotFd(),
        fixedFile: true,
        ioprio: IORING_ACCEPT_MULTISHOT,
        userData: Step.Accept,
      });
      break;
    case Step.Accept:
      accepted++;
      if (accepted >= MAX_ACCEPTS) stop();
      break;
  }
}
