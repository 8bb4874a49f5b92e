// Build SQEs by hand with submit.sqe: a READ (opcode 22) and a NOP (opcode 0), for when a
// named op is missing or its rules are in the way.
import { Cqe, submit, emit, stop, u32, u64, i32 } from "ioubpf/lang";

const IORING_OP_NOP = 0;
const IORING_OP_READ = 22;

declare const FD: i32;
declare const BUF: u64;
declare const LEN: u32;

export function onStart(): void {
  submit.sqe({
    opcode: IORING_OP_READ,
    fd: FD,
    addr: BUF,
    len: LEN,
    off: 0,
    link: true,
    userData: 1,
  });
  submit.sqe({ opcode: IORING_OP_NOP, userData: 2 });
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.userData == 2) {
    emit({ userData: 2, res: cqe.res });
    stop();
  }
}
