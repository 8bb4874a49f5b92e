// Runs one command in the guest kernel (docs/guest.md), for humans:
//   node --import tsx scripts/guest.ts [--node] [--project] [--loader] [--file HOST:GUEST]... -- CMD ARG...
// --loader puts the libbpf C loader at /bin/iou-libbpf-loader; --file copies a host file in.
import { basename } from "node:path";
import {
  GuestError,
  lastGuestTimings,
  libbpfLoaderPath,
  runGuestBatch,
  type GuestFile,
} from "../src/kernel/guest/index.js";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dd = args.indexOf("--");
  const opts = dd >= 0 ? args.slice(0, dd) : [];
  const argv = dd >= 0 ? args.slice(dd + 1) : args;
  if (argv.length === 0) {
    console.error(
      "usage: scripts/guest.ts [--node] [--project] [--loader] [--file HOST:GUEST]... -- CMD ARG...",
    );
    return 2;
  }
  const files: GuestFile[] = [];
  for (let i = 0; i < opts.length; i++)
    if (opts[i] === "--file") {
      const [host, guest] = (opts[++i] ?? "").split(":");
      if (!host) return 2;
      files.push({ hostPath: host, guestPath: guest || `/tmp/${basename(host)}` });
    }
  if (opts.includes("--loader"))
    files.push({
      hostPath: await libbpfLoaderPath(),
      guestPath: "/bin/iou-libbpf-loader",
      mode: 0o755,
    });
  const run = await runGuestBatch({
    files,
    commands: [{ id: "cmd", argv, timeoutMs: 300_000 }],
    withNode: opts.includes("--node"),
    withProject: opts.includes("--project"),
  });
  const r = run.results[0];
  process.stdout.write(r?.stdout ?? "");
  process.stderr.write(r?.stderr ?? "");
  console.error(
    `[guest] kernel ${run.kernelVersion} (package ${run.packageVersion}); exit ${r?.exitCode ?? r?.signal}` +
      `${r?.timedOut ? " (timed out)" : ""}; command ${r?.ms} ms; boot ${run.bootMs} ms` +
      (lastGuestTimings
        ? `; fetch ${lastGuestTimings.fetchMs} ms, initramfs ${lastGuestTimings.initramfsMs} ms`
        : ""),
  );
  return r?.exitCode ?? 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof GuestError) {
      console.error(`error[${e.code}]: ${e.why}`);
      return process.exit(1);
    }
    throw e;
  },
);
