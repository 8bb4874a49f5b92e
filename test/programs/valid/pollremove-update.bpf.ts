// Switch a pending poll from waiting for input to waiting for output once a response is
// ready, using pollRemove's update form instead of remove + add.
import { Cqe, submit, u32, u64, i32 } from "ioubpf/lang";

const POLLIN = 0x1;
const POLLOUT = 0x4;
const IORING_POLL_UPDATE_EVENTS = 2;
const IORING_POLL_UPDATE_USER_DATA = 4;
const POLL_IN_TAG = 0x10;
const POLL_OUT_TAG = 0x11;
const UPDATE_TAG = 0x12;
const MAX_UPDATES = 1000;

declare const SOCK: i32;

let updates: u32 = 0;

export function onStart(): void {
  submit.pollAdd({ fd: SOCK, pollEvents: POLLIN, userData: POLL_IN_TAG });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == POLL_IN_TAG && (u32(cqe.res) & POLLIN) != 0) {
    if (updates >= MAX_UPDATES) return;
    updates++;
    submit.pollAdd({ fd: SOCK, pollEvents: POLLIN, userData: POLL_IN_TAG });
    submit.pollRemove({
      addr: POLL_IN_TAG,
      off: u64(POLL_OUT_TAG),
      len: IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA,
      pollEvents: POLLOUT,
      userData: UPDATE_TAG,
    });
  }
}
