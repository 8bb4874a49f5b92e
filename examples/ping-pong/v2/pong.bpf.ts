// Pong: waits on CQ 2. Returns every ball to ping's CQ 1 with its hit count increased; stops
// when ping says so (res -1).
import { Cqe, emit, stop, trace, u64 } from "ioubpf/lang";

export const name = "pong";

const PING_CQ = 1;
const STOP = -1;

let returned: u64 = 0;

export function onCompletion(cqe: Cqe): void {
  if (cqe.res == STOP) {
    trace("pong: returned %llu balls\n", returned);
    stop();
    return;
  }
  returned++;
  emit({ userData: cqe.userData + 1, res: 0, cq: PING_CQ });
}
