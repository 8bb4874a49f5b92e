// Relay datagrams with their ancillary data: recvmsg from one socket into a msghdr that user
// space prepared, then sendmsg the same msghdr on the other socket.
import { Cqe, submit, emit, stop, u64, i32 } from "ioubpf/lang";

const MSG_DONTWAIT = 0x40;
const enum Tag {
  In = 1,
  Out = 2,
}

declare const FROM: i32;
declare const TO: i32;
declare const MSGHDR: u64;
declare const MAX_MSGS: u64;

let relayed: u64 = 0;

export function onStart(): void {
  submit.recvmsg({ fd: FROM, addr: MSGHDR, userData: Tag.In });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  }
  if (cqe.userData == Tag.In) {
    submit.sendmsg({ fd: TO, addr: MSGHDR, msgFlags: MSG_DONTWAIT, userData: Tag.Out });
    return;
  }
  relayed++;
  if (relayed < MAX_MSGS) {
    submit.recvmsg({ fd: FROM, addr: MSGHDR, userData: Tag.In });
  } else {
    emit({ userData: Tag.Out, res: i32(relayed) });
    stop();
  }
}
