// Kernel-wide BPF numbers that are the same for every target (uapi enum values and the
// kernel's list of GPL-compatible licenses). Target-specific numbers live in targets.ts.

/** BPF_MAP_TYPE_* values of the map kinds the toolchain knows. */
export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  RINGBUF: 27,
} as const;

/** License strings the kernel treats as GPL-compatible (license_is_gpl_compatible). */
export const GPL_COMPATIBLE: readonly string[] = [
  "GPL",
  "GPL v2",
  "GPL and additional rights",
  "Dual BSD/GPL",
  "Dual MIT/GPL",
  "Dual MPL/GPL",
];

export function isGplCompatible(license: string): boolean {
  return GPL_COMPATIBLE.includes(license);
}
