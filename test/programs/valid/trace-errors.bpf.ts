// Log every failed completion to the trace pipe with 0 to 3 arguments, and count them.
import { Cqe, trace, u64 } from "ioubpf/lang";

let errors: u64 = 0;
let ok: u64 = 0;

export function onStart(): void {
  trace("errlog: started\n");
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res >= 0) {
    ok++;
    return;
  }
  errors++;
  trace("errlog: res %d\n", cqe.res);
  trace("errlog: user_data %llx res %d\n", cqe.userData, cqe.res);
  trace("errlog: %llu errors, %llu ok, flags %x\n", errors, ok, cqe.flags);
}
