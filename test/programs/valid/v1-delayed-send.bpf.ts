// target: iouring-v1
// Queue a timeout linked to a send: the message goes out after the delay user space put in
// the timespec, and the program stamps the time it armed the pair into a hash map.
import { submit, ktime, random, trace, HashMap, u32, u64, i32 } from "ioubpf/lang";

declare const SOCK: i32;
declare const DELAY_TS: u64;
declare const MSG: u64;
declare const MSG_LEN: u32;

const armedAt = new HashMap<u32, u64>(128);

export function onStart(): void {
  const id = random() & 127;
  armedAt.set(id, ktime());
  submit.timeout({ addr: DELAY_TS, off: 0, hardlink: true, userData: u64(id) });
  submit.send({ fd: SOCK, addr: MSG, len: MSG_LEN, userData: u64(id) | 0x100 });
  trace("delayed send %u armed\n", id);
}
