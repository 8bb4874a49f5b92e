// target: linux-7.1
// Fan completions out to a worker ring: for each completed request, post a CQE into the
// worker's ring with msgRing (res = the result, userData = the request's), skipping a CQE
// of our own on success.
import { Cqe, submit, u32, i32 } from "ioubpf/lang";

const FORWARDED = 0xf0f0;

declare const WORKER_RING_FD: i32;

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == FORWARDED) return;
  submit.msgRing({
    fd: WORKER_RING_FD,
    len: u32(cqe.res),
    off: cqe.userData,
    cqeSkipSuccess: true,
    userData: FORWARDED,
  });
}
