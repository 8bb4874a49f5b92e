// Arm a multishot poll on a socket, count readiness events, and remove the poll after
// MAX_EVENTS of them; the removal's own completion ends the program.
import { Cqe, submit, emit, stop, bool, u32, i32 } from "ioubpf/lang";

const IORING_POLL_ADD_MULTI = 1;
const IORING_CQE_F_MORE = 2;
const MAX_EVENTS = 100;
const POLL_TAG = 0x5001;
const REMOVE_TAG = 0x5002;

declare const SOCK: i32;

let events: u32 = 0;
let removing: bool = false;

export function onStart(): void {
  submit.pollAdd({ fd: SOCK, pollEvents: 1, len: IORING_POLL_ADD_MULTI, userData: POLL_TAG });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == REMOVE_TAG) {
    emit({ userData: REMOVE_TAG, res: i32(events) });
    stop();
    return;
  }
  events++;
  const more = (cqe.flags & IORING_CQE_F_MORE) != 0;
  if (!more && !removing) {
    // the kernel dropped the multishot poll: arm it again
    submit.pollAdd({ fd: SOCK, pollEvents: 1, len: IORING_POLL_ADD_MULTI, userData: POLL_TAG });
    return;
  }
  if (events >= MAX_EVENTS && !removing) {
    removing = true;
    submit.pollRemove({ addr: POLL_TAG, userData: REMOVE_TAG });
  }
}
