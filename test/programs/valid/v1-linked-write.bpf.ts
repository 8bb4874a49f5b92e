// target: iouring-v1
// Feb 2021 RFC style: user space links this BPF request after a read; when it runs it
// queues the write of the block to the backup file. It cannot see the read's result, so
// it always writes a whole block.
import { submit, u32, u64, i32 } from "ioubpf/lang";

declare const BACKUP_FD: i32;
declare const BLOCK_BUF: u64;
declare const BLOCK_LEN: u32;
declare const BLOCK_OFF: u64;

export function onStart(): void {
  submit.write({ fd: BACKUP_FD, addr: BLOCK_BUF, len: BLOCK_LEN, off: BLOCK_OFF, userData: 0x77 });
}
