// The running kernel's BTF (/sys/kernel/btf/vmlinux), read with our BTF reader, and the
// facts the loader needs from it: the struct_ops types and the kfunc ids.
import { readFileSync } from "node:fs";
import { decodeBtf, type BtfStruct, type BtfType, type DecodedBtf } from "../elf/btf.js";

export interface StructOpsInfo {
  /** id of `struct io_uring_bpf_ops`. */
  typeId: number;
  type: BtfStruct;
  /** id and layout of `struct bpf_struct_ops_io_uring_bpf_ops` (the map value). */
  valueTypeId: number;
  valueSize: number;
  /** Byte offset of the `data` member (the io_uring_bpf_ops inside the value). */
  dataOffset: number;
  /** Member index and byte offset of `loop_step`, byte offset of `ring_fd`. */
  loopStepIndex: number;
  loopStepOffset: number;
  ringFdOffset: number;
}

export interface KernelBtf {
  btf: DecodedBtf;
  byName(kind: BtfType["kind"], name: string): number | undefined;
}

let cached: { path: string; k: KernelBtf | string } | undefined;

/** The decoded kernel BTF, or why it is unavailable. */
export function kernelBtf(
  path = process.env.IOUBPF_VMLINUX_BTF ?? "/sys/kernel/btf/vmlinux",
): KernelBtf | string {
  if (cached?.path === path) return cached.k;
  let k: KernelBtf | string;
  try {
    const btf = decodeBtf(readFileSync(path), path);
    const index = new Map<string, number>();
    btf.types.forEach((t, id) => {
      if ("name" in t && typeof t.name === "string" && t.name !== "") {
        const key = `${t.kind}:${t.name}`;
        if (!index.has(key)) index.set(key, id);
      }
    });
    k =
      btf.types.length <= 1
        ? `${path}: no types`
        : { btf, byName: (kind, name) => index.get(`${kind}:${name}`) };
  } catch (e) {
    k = `cannot read ${path}: ${(e as Error).message}`;
  }
  cached = { path, k };
  return k;
}

/** The io_uring_bpf_ops facts, or why the kernel has none. */
export function ioUringStructOps(k: KernelBtf): StructOpsInfo | string {
  const typeId = k.byName("struct", "io_uring_bpf_ops");
  if (typeId === undefined)
    return "the kernel's BTF has no struct io_uring_bpf_ops (Linux 7.1+ with CONFIG_IO_URING_BPF_OPS)";
  const type = k.btf.types[typeId] as BtfStruct;
  const valueTypeId = k.byName("struct", "bpf_struct_ops_io_uring_bpf_ops");
  if (valueTypeId === undefined)
    return "the kernel's BTF has no struct bpf_struct_ops_io_uring_bpf_ops";
  const value = k.btf.types[valueTypeId] as BtfStruct;
  const data = value.members.find((m) => m.name === "data");
  const loopStepIndex = type.members.findIndex((m) => m.name === "loop_step");
  const ringFd = type.members.find((m) => m.name === "ring_fd");
  if (!data || loopStepIndex < 0 || !ringFd)
    return "struct io_uring_bpf_ops in the kernel's BTF lacks data/loop_step/ring_fd";
  return {
    typeId,
    type,
    valueTypeId,
    valueSize: value.size,
    dataOffset: data.bitOffset / 8,
    loopStepIndex,
    loopStepOffset: type.members[loopStepIndex]!.bitOffset / 8,
    ringFdOffset: ringFd.bitOffset / 8,
  };
}
