// The version alone, so `ioubpf --version` loads nothing else.
export const VERSION = "0.1.0";
