// Keep the registered-file table in step: when a connection's recv reports the peer closed,
// clear its slot with filesUpdate (user space wrote -1 at CLEARED) and close the socket.
import { Cqe, submit, u64, i32 } from "ioubpf/lang";

const enum Kind {
  Recv = 0,
  Update = 1,
  Close = 2,
}

declare const CLEARED: u64; // int[1] = { -1 }

export function onCompletion(cqe: Cqe): void {
  // userData = slot << 8 | kind; the slot is also the connection's fd for close
  const kind = cqe.userData & 0xff;
  const slot = cqe.userData >> 8;
  if (kind == Kind.Recv && cqe.res == 0) {
    submit.filesUpdate({
      addr: CLEARED,
      len: 1,
      off: slot,
      link: true,
      userData: (slot << 8) | Kind.Update,
    });
    submit.close({ fd: i32(slot), userData: (slot << 8) | Kind.Close });
  }
}
