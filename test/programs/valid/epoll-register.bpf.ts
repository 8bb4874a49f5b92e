// Bridge to an epoll-based library: each accepted connection (completion on CQ 0 carrying
// the fd) is added to the library's epoll set with the event struct user space prepared.
import { Cqe, submit, u64, i32 } from "ioubpf/lang";

const EPOLL_CTL_ADD = 1;
const ACCEPT_TAG = 1;
const CTL_TAG = 2;

declare const EPFD: i32;
declare const LISTEN_FD: i32;
declare const EVENT: u64; // struct epoll_event with EPOLLIN

export function onStart(): void {
  submit.accept({ fd: LISTEN_FD, userData: ACCEPT_TAG });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData != ACCEPT_TAG) return;
  if (cqe.res >= 0) {
    submit.epollCtl({
      fd: EPFD,
      addr: EVENT,
      len: EPOLL_CTL_ADD,
      off: u64(cqe.res),
      userData: CTL_TAG,
    });
  }
  submit.accept({ fd: LISTEN_FD, userData: ACCEPT_TAG });
}
