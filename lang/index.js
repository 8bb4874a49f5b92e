// ioubpf/lang has no runtime code. Programs written against it (`*.bpf.ts`) are compiled to
// eBPF by ioubpf, never executed by Node; lang/index.d.ts describes the language to
// TypeScript and editors. This file exists so the package's `./lang` export resolves.
export {};
