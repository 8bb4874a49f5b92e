// Receive with kernel-selected buffers: recv with bufferSelect picks a buffer from group
// GROUP; the CQE names it (flags >> 16); after "processing" it is handed back with
// provideBuffers so the pool never runs dry.
import { Cqe, submit, emit, stop, u16, u64, i32 } from "ioubpf/lang";

const GROUP = 7;
const BUF_SIZE = 2048;
const POOL_BUFFERS = 64;
const IORING_CQE_F_BUFFER = 1;
const enum Tag {
  Recv = 1,
  Return = 2,
}

declare const SOCK: i32;
declare const POOL: u64; // POOL_BUFFERS × BUF_SIZE bytes

let received: u64 = 0;

function recv(): void {
  submit.recv({ fd: SOCK, len: BUF_SIZE, bufferSelect: true, bufGroup: GROUP, userData: Tag.Recv });
}

export function onStart(): void {
  recv();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == Tag.Return) return;
  if (cqe.res <= 0) {
    // done: take the pool back so user space can free it
    submit.removeBuffers({ fd: POOL_BUFFERS, bufGroup: GROUP, userData: Tag.Return });
    emit({ userData: received, res: cqe.res });
    stop();
    return;
  }
  received += u64(cqe.res);
  if ((cqe.flags & IORING_CQE_F_BUFFER) != 0) {
    const bid: u16 = u16(cqe.flags >> 16);
    submit.provideBuffers({
      fd: 1,
      addr: POOL + u64(bid) * BUF_SIZE,
      len: BUF_SIZE,
      off: u64(bid),
      bufGroup: GROUP,
      userData: Tag.Return,
    });
  }
  recv();
}
