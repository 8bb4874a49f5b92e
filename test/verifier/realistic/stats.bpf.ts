// target: iouring-v2
// Statistics per operation kind in a HashMap (issue 13: loop-free, rejected by our verifier
// after 200,000 processed instructions while the kernel accepted it).
import { Cqe, submit, emit, ktime, HashMap, u32, u64, i32 } from "ioubpf/lang";

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;

interface Stat {
  count: u64;
  errors: u64;
  bytes: u64;
  minLat: u64;
  maxLat: u64;
  lastRes: i32;
  eagain: u32;
}

const perKind = new HashMap<u32, Stat>(16);
const started = new HashMap<u64, u64>(64);
let total: u64 = 0;
let failures: u64 = 0;
let nextId: u64 = 1;

function issue(kind: u32): void {
  const id = (nextId << 8) | u64(kind);
  nextId++;
  started.set(id, ktime());
  if (kind == 1) submit.read({ fd: FD, addr: BUF, len: LEN, off: 0, userData: id });
  else if (kind == 2) submit.write({ fd: FD, addr: BUF, len: LEN, off: 0, userData: id });
  else if (kind == 3) submit.fsync({ fd: FD, userData: id });
  else submit.nop({ userData: id });
}

export function onStart(): void {
  issue(1);
  issue(2);
  issue(3);
  issue(4);
}

export function onCompletion(cqe: Cqe): void {
  const kind = u32(cqe.userData & 0xff);
  total++;
  let lat: u64 = 0;
  const t0 = started.get(cqe.userData);
  if (t0 !== null) {
    lat = ktime() - t0;
    started.delete(cqe.userData);
  }
  const s = perKind.get(kind);
  if (s === null) {
    perKind.set(kind, {
      count: 1,
      errors: cqe.res < 0 ? 1 : 0,
      bytes: cqe.res > 0 ? u64(cqe.res) : 0,
      minLat: lat,
      maxLat: lat,
      lastRes: cqe.res,
      eagain: cqe.res == -11 ? 1 : 0,
    });
  } else {
    s.count++;
    if (cqe.res < 0) {
      s.errors++;
      failures++;
      if (cqe.res == -11) s.eagain++;
    } else s.bytes += u64(cqe.res);
    if (lat < s.minLat) s.minLat = lat;
    if (lat > s.maxLat) s.maxLat = lat;
    s.lastRes = cqe.res;
    if (s.count % 64 == 0) emit({ userData: u64(kind), res: i32(s.maxLat >> 10) });
  }
  if (cqe.res == -11) {
    issue(kind);
  } else if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    if (failures > 16) return;
    issue(kind);
  } else if (kind == 1 && cqe.res > 0) {
    issue(2);
  } else if (kind == 2) {
    issue(3);
  } else if (kind == 3) {
    issue(1);
  } else if (total < 1000) {
    issue(4);
  }
}
