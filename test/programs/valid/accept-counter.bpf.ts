// Accept connections on a listening socket, count them per accepted fd parity in a hash map
// and hand each new fd to user space through an emitted CQE; keep accepting.
import { Cqe, submit, emit, HashMap, u32, u64, i32 } from "ioubpf/lang";

const SOCK_CLOEXEC = 0x80000;
const ACCEPT_TAG = 7;
const NEW_CONN_CQ = 1;

declare const LISTEN_FD: i32;

const perParity = new HashMap<u32, u64>(2);
let accepted: u64 = 0;

function rearm(): void {
  submit.accept({ fd: LISTEN_FD, acceptFlags: SOCK_CLOEXEC, userData: ACCEPT_TAG });
}

export function onStart(): void {
  rearm();
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData != ACCEPT_TAG) return;
  if (cqe.res >= 0) {
    accepted++;
    const key: u32 = u32(cqe.res) & 1;
    const old = perParity.get(key);
    if (old !== null) {
      perParity.set(key, old + 1);
    } else {
      perParity.set(key, 1);
    }
    emit({ userData: accepted, res: cqe.res, cq: NEW_CONN_CQ });
  }
  rearm();
}
