// Serve reads from two tenants at different I/O priorities under another registered
// personality: tenant 0 gets best-effort level 0, tenant 1 idle class.
import { Cqe, submit, u16, u32, u64, i32 } from "ioubpf/lang";

const IOPRIO_CLASS_SHIFT = 13;
const IOPRIO_CLASS_BE = 2;
const IOPRIO_CLASS_IDLE = 3;

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;
declare const TENANT_PERSONALITY: u16;

function prio(tenant: u32): u16 {
  return tenant == 0
    ? u16(IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT)
    : u16(IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
}

export function onCompletion(cqe: Cqe): void {
  // userData = tenant << 32 | block number of the next read to issue
  const tenant = u32(cqe.userData >> 32);
  const block = cqe.userData & 0xffffffff;
  if (cqe.res <= 0) return;
  submit.read({
    fd: FD,
    addr: BUF,
    len: LEN,
    off: (block + 1) * u64(LEN),
    ioprio: prio(tenant),
    personality: TENANT_PERSONALITY,
    userData: (u64(tenant) << 32) | (block + 1),
  });
}
