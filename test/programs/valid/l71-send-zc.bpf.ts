// target: linux-7.1
// Zero-copy send of a large buffer in pieces: each send_zc posts its result and later a
// NOTIF CQE; the next piece goes out when the previous piece's buffer is released.
import { Cqe, submit, stop, u32, u64, i32 } from "ioubpf/lang";

const PIECE = 256 * 1024;
const IORING_CQE_F_NOTIF = 8;

declare const SOCK: i32;
declare const BUF: u64;
declare const TOTAL: u64;

let sent: u64 = 0;

function sendPiece(): void {
  const left = TOTAL - sent;
  const len: u32 = left < PIECE ? u32(left) : PIECE;
  submit.sendZc({ fd: SOCK, addr: BUF + sent, len: len, userData: sent });
}

export function onStart(): void {
  sendPiece();
}

export function onCompletion(cqe: Cqe): void {
  if ((cqe.flags & IORING_CQE_F_NOTIF) != 0) {
    if (sent < TOTAL) sendPiece();
    else stop();
    return;
  }
  if (cqe.res < 0) {
    stop();
    return;
  }
  sent += u64(cqe.res);
}
