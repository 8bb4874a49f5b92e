// `const { res, userData } = cqe` reads the completion's fields; a timeout is given the
// `len: 1` the kernel requires (the compiler would write it anyway).
import { Cqe, HashMap, submit, stop, u32, u64 } from "ioubpf/lang";

declare const TS_ADDR: u64; // a struct __kernel_timespec in user memory

const out = new HashMap<u32, u64>(16);

export function onStart(): void {
  submit.timeout({ addr: TS_ADDR, len: 1, off: 0, userData: 9 });
}

export function onCompletion(cqe: Cqe): void {
  const { res, userData } = cqe;
  const { flags: f } = cqe;
  out.set(1, userData);
  out.set(2, u64(-res));
  out.set(3, u64(f));
  stop();
}
