// Accept straight into registered-file slots (fileIndex) and start a recv on each new slot
// with fixedFile; slots are handed out round-robin from a small range.
import { Cqe, submit, u32, u64, i32 } from "ioubpf/lang";

const FIRST_SLOT = 16;
const SLOTS = 32;
const ACCEPT_TAG = 0xffffffff;
const RECV_LEN = 4096;

declare const LISTEN_FD: i32;
declare const BUFS: u64; // SLOTS × RECV_LEN bytes

let nextSlot: u32 = 0;

function accept(): void {
  submit.accept({ fd: LISTEN_FD, fileIndex: FIRST_SLOT + nextSlot + 1, userData: ACCEPT_TAG });
}

export function onStart(): void {
  accept();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData != ACCEPT_TAG) return; // recv results are for user space
  if (cqe.res >= 0) {
    const slot = FIRST_SLOT + nextSlot;
    submit.recv({
      fd: i32(slot),
      fixedFile: true,
      addr: BUFS + u64(nextSlot) * RECV_LEN,
      len: RECV_LEN,
      userData: u64(slot),
    });
    nextSlot = (nextSlot + 1) % SLOTS;
  }
  accept();
}
