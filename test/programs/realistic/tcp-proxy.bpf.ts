// A one-connection TCP proxy: bytes received from the client are sent upstream and bytes
// from upstream are sent to the client, each direction with its own buffer; either side
// closing ends the program.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

declare const CLIENT_FD: i32;
declare const UPSTREAM_FD: i32;
declare const BUF_UP: u64;
declare const BUF_DOWN: u64;
declare const BUF_LEN: u32;

const enum Op {
  RecvClient = 1,
  SendUpstream = 2,
  RecvUpstream = 3,
  SendClient = 4,
}

let up: u64 = 0;
let down: u64 = 0;

function fromClient(): void {
  submit.recv({ fd: CLIENT_FD, addr: BUF_UP, len: BUF_LEN, userData: Op.RecvClient });
}

function fromUpstream(): void {
  submit.recv({ fd: UPSTREAM_FD, addr: BUF_DOWN, len: BUF_LEN, userData: Op.RecvUpstream });
}

export function onStart(): void {
  fromClient();
  fromUpstream();
}

export function onCompletion(cqe: Cqe): void {
  const { res, userData } = cqe;
  if (res <= 0 && (userData == Op.RecvClient || userData == Op.RecvUpstream)) {
    emit({ userData: up, res: i32(down) });
    return stop();
  }
  if (res < 0) return stop();
  switch (userData) {
    case Op.RecvClient:
      submit.send({ fd: UPSTREAM_FD, addr: BUF_UP, len: u32(res), userData: Op.SendUpstream });
      break;
    case Op.SendUpstream:
      up += u64(res);
      fromClient();
      break;
    case Op.RecvUpstream:
      submit.send({ fd: CLIENT_FD, addr: BUF_DOWN, len: u32(res), userData: Op.SendClient });
      break;
    case Op.SendClient:
      down += u64(res);
      fromUpstream();
      break;
  }
}
