// Helper prototypes for the verifier. The per-target tables in src/targets/targets.ts already
// carry every helper the targets allow (the base set 1, 2, 3, 5, 6, 7, 130 and the io_uring
// helpers 148, 163–167), so this file adds no prototypes of its own; it only adds the facts
// about map types that the prototypes do not carry (which helper works on which map kind).
import { helperById, type HelperProto, type TargetInfo } from "../targets/targets.js";

export function helperPrototype(target: TargetInfo, id: number): HelperProto | undefined {
  return helperById(target, id);
}

import { MapType } from "../targets/bpf-abi.js";
export { MapType };

/**
 * Whether helper `name` may be given a map of `mapType` (the kernel's
 * check_map_func_compatibility, reduced to the helpers our targets have).
 */
export function mapCompatible(name: string, mapType: number): boolean {
  if (name === "ringbuf_output") return mapType === MapType.RINGBUF;
  if (name === "map_lookup_elem" || name === "map_update_elem" || name === "map_delete_elem")
    return mapType !== MapType.RINGBUF;
  return true;
}
