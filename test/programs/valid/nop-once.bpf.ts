// Smallest useful program: on start, queue one NOP whose completion tells user space the
// BPF request ran. onStart only.
import { submit } from "ioubpf/lang";

export function onStart(): void {
  submit.nop({ userData: 1 });
}
