// UDP echo to a fixed destination: every datagram received on one socket is sent on with
// send's sendto form (addr2 = destination sockaddr, addrLen = its length).
import { Cqe, submit, u16, u32, u64, i32 } from "ioubpf/lang";

const enum Tag {
  Recv = 1,
  Send = 2,
}

declare const SOCK: i32;
declare const BUF: u64;
declare const BUF_LEN: u32;
declare const DEST: u64; // struct sockaddr_in6
declare const DEST_LEN: u16;

export function onStart(): void {
  submit.recv({ fd: SOCK, addr: BUF, len: BUF_LEN, userData: Tag.Recv });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == Tag.Recv && cqe.res > 0) {
    submit.send({
      fd: SOCK,
      addr: BUF,
      len: u32(cqe.res),
      addr2: DEST,
      addrLen: DEST_LEN,
      link: true,
      userData: Tag.Send,
    });
  }
  if (cqe.userData == Tag.Recv)
    submit.recv({ fd: SOCK, addr: BUF, len: BUF_LEN, userData: Tag.Recv });
}
