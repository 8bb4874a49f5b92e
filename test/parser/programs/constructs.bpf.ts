// Every construct of the language at least once (parser test fixture).
import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, FixedArray, ArrayMap, HashMap } from "ioubpf/lang";
import type { RingBuf } from "ioubpf/lang";

export const name = "constructs";
export const license = "GPL";

const MASK = 0xff_ff;
const BITS = 0b1010, OCT = 0o17;
const enum Op { Read = 1, Write, Close = 1 << 4, }
export const enum Flag { A = 1 }

declare const FD: i32;
export declare const LIMIT: u64;

interface Stats {
  reads: u64;
  readonly writes: u64,
  name: FixedArray<u8, 16>;
}

const stats = new ArrayMap<u32, Stats>(16);
const seen = new HashMap<u64, FixedArray<u8, 4>>(1024);
let count: u32 = 0;
let total: u64;

function helper(a: u32, b: u64): u64 {
  return u64(a) + b * 2;
}

function shifts(x: u32, y: i64): void {
  let a = x >> 1;
  let b = x >>> 2;
  let c = x << 3;
  a >>= 1;
  b >>>= 2;
  c <<= 3;
  const cmp = a > b && b >= c || !(a < c) && c <= a;
  const eq = a == b || a === b || a != c || a !== c;
  let z = (a & b) | (c ^ ~a);
  z += 1; z -= 1; z *= 2; z /= 2; z %= 3; z &= 1; z |= 2; z ^= 3;
  z++;
  ++z;
  z--;
  --z;
  const neg = -y;
  const t = cmp ? a : eq ? b : c
  trace("x=%d y=%d\n", x, y)
}

export function onStart(): void {
  submit.read({ fd: FD, fixedFile: true, addr: 0, len: 16, off: 0, userData: Op.Read });
  for (let i = 0; i < 4; i++) {
    if (i == 2) continue;
    count++;
  }
  for (;;) { break; }
  let n = 0;
  while (n < 10) n += 1;
  do { n--; } while (n > 0);
  {
    const inner = n;
  }
  ;
}

export function onCompletion(cqe: Cqe): void {
  const s = stats.get(0);
  if (s !== null) {
    s.reads += 1;
    s.name[0] = 65;
  } else if (cqe.res < 0) {
    emit({ userData: cqe.userData, res: cqe.res });
    stop();
    return;
  } else {
    stats.set(0, { reads: 0, writes: 0, name: s });
  }
  const userData = cqe.userData;
  emit({ userData, res: 0, flags: 0 });
  switch (cqe.userData) {
    case Op.Read:
    case Op.Write: {
      total = total + u64(cqe.res);
      break;
    }
    default:
      seen.delete(total);
  }
  const ok: bool = true && !false;
  const maybe: Stats | null = null;
  const str = 'single\tquoted\x41\u0042\u{43}';
}
