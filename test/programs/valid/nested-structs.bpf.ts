// Track each connection's request/response exchange in a struct that nests two counters
// structs; completions carry the connection id in userData bits 8.. and the direction in bit 0.
import { Cqe, HashMap, emit, u16, u64, i32 } from "ioubpf/lang";

interface Counter {
  count: u64;
  bytes: u64;
}

interface Conn {
  rx: Counter;
  tx: Counter;
  lastError: i32;
  port: u16;
}

const conns = new HashMap<u64, Conn>(1024);

export function onCompletion(cqe: Cqe): void {
  const id = cqe.userData >> 8;
  const isTx = (cqe.userData & 1) == 1;
  const conn = conns.get(id);
  if (conn === null) {
    conns.set(id, {
      rx: { count: 0, bytes: 0 },
      tx: { count: 0, bytes: 0 },
      lastError: 0,
      port: 0,
    });
    return;
  }
  if (cqe.res < 0) {
    conn.lastError = cqe.res;
    emit({ userData: id, res: cqe.res });
    conns.delete(id);
    return;
  }
  if (isTx) {
    conn.tx.count++;
    conn.tx.bytes += u64(cqe.res);
  } else {
    conn.rx.count++;
    conn.rx.bytes += u64(cqe.res);
  }
}
