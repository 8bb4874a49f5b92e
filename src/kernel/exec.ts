// Executes a LoadPlan against the kernel in this process: creates and fills the maps, patches
// their fds into the ld_imm64 slots, loads the program (and test-runs it when asked), reads
// the record maps back and closes every fd. Used directly for lenient mode and by child.ts.
import {
  BpfError,
  BpfMapType,
  closeFd,
  currentMode,
  mapCreate,
  mapFreeze,
  mapLookup,
  mapNextKey,
  mapUpdate,
  progLoad,
  progTestRun,
} from "./bpf.js";
import type { LoadPlan } from "./plan.js";

export interface ExecResult {
  /** The verifier mode this process's capabilities give. */
  mode: "strict" | "lenient";
  loaded: boolean;
  /** errno of a failed load (0 when loaded or not attempted). */
  errno: number;
  log: string;
  /** Set when something other than the verifier failed (map creation, test run). */
  setupError?: string;
  /** Set when the program loaded but BPF_PROG_TEST_RUN failed. */
  runError?: string;
  run?: {
    retval: number;
    /** The context after the run (base64). */
    ctx: string;
    /**
     * Entries of each dumped map, by plan map index (base64): arrays in index order, other
     * maps in the kernel's key order.
     */
    maps: Record<number, { key: string; value: string }[]>;
  };
}

const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));
const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

function key(i: number): Uint8Array {
  const k = new Uint8Array(4);
  new DataView(k.buffer).setUint32(0, i, true);
  return k;
}

/** Entries read back per map at most (one syscall each). */
const MAX_DUMP = 65536;

/** BPF_MAP_TYPE_HASH, ARRAY, LRU_HASH. */
const DUMPABLE = new Set([1, 2, 9]);

export function executePlan(plan: LoadPlan): ExecResult {
  const mode = currentMode();
  const fds: number[] = [];
  try {
    const mapFds: number[] = [];
    for (const m of plan.maps) {
      const fd = mapCreate({
        type: m.type,
        keySize: m.keySize,
        valueSize: m.valueSize,
        maxEntries: m.maxEntries,
        flags: m.flags,
        name: m.name,
      });
      fds.push(fd);
      mapFds.push(fd);
      for (const e of m.init) mapUpdate(fd, fromB64(e.key), fromB64(e.value));
      if (m.freeze) mapFreeze(fd);
    }
    const insns = fromB64(plan.insns);
    const view = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
    for (const r of plan.mapRefs) {
      view.setInt32(r.slot * 8 + 4, mapFds[r.map]!, true);
      view.setInt32(r.slot * 8 + 12, r.kind === "value" ? r.offset : 0, true);
    }
    let loaded = progLoad({
      type: plan.progType,
      insns,
      license: plan.license,
      flags: plan.progFlags,
      name: plan.name,
      logLevel: plan.logLevel,
      logSize: plan.logSize,
    });
    // A log that does not fit fails the load with ENOSPC; retry with statistics only, so the
    // verdict and the instruction count are still known.
    if (loaded.errno === 28 && plan.logLevel !== 4) {
      // The kernel's log rotates: the truncated log still ends with the complaint, which
      // the statistics-only retry does not have; keep it ahead of the retry's statistics.
      const tail = loaded.log;
      loaded = progLoad({
        type: plan.progType,
        insns,
        license: plan.license,
        flags: plan.progFlags,
        name: plan.name,
        logLevel: 4,
        logSize: 1 << 20,
      });
      if (loaded.fd < 0) loaded = { ...loaded, log: `${tail.trimEnd()}\n${loaded.log}` };
    }
    if (loaded.fd < 0) return { mode, loaded: false, errno: loaded.errno, log: loaded.log };
    fds.push(loaded.fd);
    if (!plan.run) return { mode, loaded: true, errno: 0, log: loaded.log };
    let ran: ReturnType<typeof progTestRun>;
    try {
      ran = progTestRun({ progFd: loaded.fd, ctxIn: fromB64(plan.run.ctx) });
    } catch (e) {
      // Loaded (the verdict stands) but could not be run.
      return { mode, loaded: true, errno: 0, log: loaded.log, runError: (e as Error).message };
    }
    const maps: Record<number, { key: string; value: string }[]> = {};
    plan.maps.forEach((m, i) => {
      // Only map types whose lookup copies exactly value_size bytes (per-CPU maps copy one
      // value per possible CPU, which would overrun the buffer) and that can be iterated.
      if (!m.dump || !DUMPABLE.has(m.type)) return;
      const entries: { key: string; value: string }[] = [];
      const fd = mapFds[i]!;
      if (m.type === BpfMapType.ARRAY) {
        for (let k = 0; k < Math.min(m.maxEntries, MAX_DUMP); k++) {
          const v = mapLookup(fd, key(k), m.valueSize);
          if (v) entries.push({ key: b64(key(k)), value: b64(v) });
        }
      } else {
        // Bounded by max_entries: a map changing under us must not loop forever.
        let k = mapNextKey(fd, undefined, m.keySize);
        for (let n = 0; k && n < Math.min(m.maxEntries, MAX_DUMP); n++) {
          const v = mapLookup(fd, k, m.valueSize);
          if (v) entries.push({ key: b64(k), value: b64(v) });
          k = mapNextKey(fd, k, m.keySize);
        }
      }
      maps[i] = entries;
    });
    return {
      mode,
      loaded: true,
      errno: 0,
      log: loaded.log,
      run: { retval: ran.retval | 0, ctx: b64(ran.ctxIn ?? new Uint8Array(0)), maps },
    };
  } catch (e) {
    const msg =
      e instanceof BpfError
        ? `${e.message}${e.errno === 1 ? " (missing CAP_BPF?)" : ""}`
        : String((e as Error)?.message ?? e);
    return { mode, loaded: false, errno: 0, log: "", setupError: msg };
  } finally {
    for (const fd of fds) closeFd(fd);
  }
}
