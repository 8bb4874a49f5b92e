// The guest harness's failure path without network: an unreachable mirror and an empty cache
// give a GuestError (E9061) whose `why` names the mirror, and guestAvailability reports it
// instead of throwing. No boot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

test("guest fetch: an unreachable mirror is a clear E9061, and guestAvailability says why", async (t) => {
  if (spawnSync("apt-get", ["--version"]).status !== 0) {
    console.log("skipped: no apt-get here");
    t.skip("no apt-get here");
    return;
  }
  const cache = mkdtempSync(join(tmpdir(), "ioubpf-guest-nomirror-"));
  process.env.IOUBPF_GUEST_CACHE = cache;
  process.env.IOUBPF_GUEST_MIRROR = "http://127.0.0.1:9/debian"; // the discard port: refused
  try {
    const { fetchGuestParts, guestAvailability, GuestError } =
      await import("../../src/kernel/guest/index.js");
    assert.throws(
      () => fetchGuestParts(),
      (e: unknown) =>
        e instanceof GuestError &&
        e.code === "E9061" &&
        e.why.includes("http://127.0.0.1:9/debian") &&
        e.diagnostics[0]?.code === "E9061",
    );
    const avail = await guestAvailability();
    assert.equal(avail.ok, false);
    if (!avail.ok) assert.match(avail.why, /(unreachable|no qemu|no cpio|no zstd|no gcc|busybox)/);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
