import { buildObject } from "../test/verifier/build.js";
import { verifyObject, formatDiagnostics, kernelVerify } from "../src/index.js";
const body = `
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = m ll
	call 1
	if r0 == 0 goto out
	r1 = *(u64 *)(r0 + 0)
out:
	r0 = 0
	exit`;
const o = buildObject(body, { maps: [{ name: "m", type: "array" }] });
if (typeof o === "string") { console.log(o); process.exit(1); }
const r = verifyObject(o, { target: "iouring-v2" });
console.log(formatDiagnostics(r.diagnostics), r.stats);
console.log(await kernelVerify(o, { target: "iouring-v2" }));
process.exit(0);
