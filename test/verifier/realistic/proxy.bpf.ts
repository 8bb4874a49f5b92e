// target: iouring-v2
// A TCP proxy: accept a client, connect upstream, then relay both directions with recv/send
// pairs tracked per connection in a HashMap; counters and errors in globals (issue 13).
import { Cqe, submit, emit, stop, HashMap, u32, u64, i32 } from "ioubpf/lang";

const MSG_NOSIGNAL = 0x4000;
const enum Op {
  Accept = 1,
  Connect = 2,
  RecvClient = 3,
  SendUpstream = 4,
  RecvUpstream = 5,
  SendClient = 6,
  Close = 7,
}

declare const LISTEN_FD: i32;
declare const UPSTREAM_FD: i32;
declare const ADDR: u64;
declare const ADDR_LEN: u32;
declare const BUF_C: u64;
declare const BUF_U: u64;
declare const BUF_LEN: u32;

interface Conn {
  client: i32;
  upstream: i32;
  fromClient: u64;
  fromUpstream: u64;
  errors: u32;
  open: u32;
}

const conns = new HashMap<u32, Conn>(16);
let accepted: u64 = 0;
let closed: u64 = 0;
let failures: u64 = 0;

function tag(op: u32, id: u32): u64 {
  return (u64(id) << 8) | u64(op);
}

export function onStart(): void {
  submit.accept({ fd: LISTEN_FD, userData: tag(Op.Accept, 0) });
}

export function onCompletion(cqe: Cqe): void {
  const op = u32(cqe.userData & 0xff);
  const id = u32(cqe.userData >> 8);
  if (op == Op.Accept) {
    if (cqe.res < 0) {
      failures++;
      emit({ userData: cqe.userData, res: cqe.res });
      stop();
      return;
    }
    accepted++;
    const nid = u32(accepted & 0xffff);
    conns.set(nid, {
      client: cqe.res,
      upstream: UPSTREAM_FD,
      fromClient: 0,
      fromUpstream: 0,
      errors: 0,
      open: 1,
    });
    submit.connect({
      fd: UPSTREAM_FD,
      addr: ADDR,
      addr2: u64(ADDR_LEN),
      userData: tag(Op.Connect, nid),
    });
    submit.accept({ fd: LISTEN_FD, userData: tag(Op.Accept, 0) });
    return;
  }
  const c = conns.get(id);
  if (c === null) {
    failures++;
    return;
  }
  if (cqe.res < 0) {
    c.errors++;
    failures++;
    if (c.errors > 3 || op == Op.Connect) {
      c.open = 0;
      submit.close({ fd: c.client, userData: tag(Op.Close, id) });
      return;
    }
  }
  if (op == Op.Connect) {
    submit.recv({ fd: c.client, addr: BUF_C, len: BUF_LEN, userData: tag(Op.RecvClient, id) });
    submit.recv({ fd: c.upstream, addr: BUF_U, len: BUF_LEN, userData: tag(Op.RecvUpstream, id) });
  } else if (op == Op.RecvClient) {
    if (cqe.res <= 0) {
      c.open = 0;
      submit.close({ fd: c.client, userData: tag(Op.Close, id) });
      return;
    }
    c.fromClient += u64(cqe.res);
    submit.send({
      fd: c.upstream,
      addr: BUF_C,
      len: u32(cqe.res),
      msgFlags: MSG_NOSIGNAL,
      userData: tag(Op.SendUpstream, id),
    });
  } else if (op == Op.SendUpstream) {
    submit.recv({ fd: c.client, addr: BUF_C, len: BUF_LEN, userData: tag(Op.RecvClient, id) });
  } else if (op == Op.RecvUpstream) {
    if (cqe.res <= 0) {
      c.open = 0;
      submit.close({ fd: c.client, userData: tag(Op.Close, id) });
      return;
    }
    c.fromUpstream += u64(cqe.res);
    submit.send({
      fd: c.client,
      addr: BUF_U,
      len: u32(cqe.res),
      msgFlags: MSG_NOSIGNAL,
      userData: tag(Op.SendClient, id),
    });
  } else if (op == Op.SendClient) {
    submit.recv({ fd: c.upstream, addr: BUF_U, len: BUF_LEN, userData: tag(Op.RecvUpstream, id) });
  } else if (op == Op.Close) {
    closed++;
    emit({ userData: c.fromClient, res: i32(c.fromUpstream & 0x7fffffff) });
    conns.delete(id);
  }
}
