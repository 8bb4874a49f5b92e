// Echo check used by the runtime tests on the host and inside the 7.x guest: starts
// `ioubpf exec ECHO.o --listen LISTEN_FD=PORT …` as a child, connects to 127.0.0.1:PORT,
// sends messages, checks each comes back, closes, and prints one JSON line with the
// results and the child's output. argv: node echo-client.mjs CLI OBJ PORT [exec args…], or
// node echo-client.mjs --bin SERVER PORT [args…] to run a server binary (the C skeleton's
// main) as `SERVER PORT [args…]` instead.
import net from "node:net";
import { spawn } from "node:child_process";
import { setTimeout, clearTimeout } from "node:timers";

const [cli, obj, portArg, ...extra] = process.argv.slice(2);
const port = Number(portArg);
const cliArgs = cli.endsWith(".ts") ? ["--import", "tsx", cli] : [cli];
const [file, fileArgs] =
  cli === "--bin"
    ? [obj, [portArg, ...extra]]
    : [
        process.execPath,
        [
          ...cliArgs,
          "exec",
          obj,
          "--listen",
          `LISTEN_FD=${port}`,
          "--buf",
          "BUF=4096",
          "--set",
          "BUF_LEN=4096",
          "--set",
          "MAX_CONNS=1",
          "--json",
          ...extra,
        ],
      ];
const child = spawn(file, fileArgs, { stdio: ["ignore", "pipe", "pipe"] });
let stdout = "";
let stderr = "";
child.stdout.on("data", (d) => (stdout += d));
child.stderr.on("data", (d) => (stderr += d));
const exited = new Promise((r) => child.on("exit", (code) => r(code)));
const connect = () =>
  new Promise((res, rej) => {
    const s = net.connect(port, "127.0.0.1", () => res(s));
    s.on("error", rej);
  });
let sock;
// The listening socket exists once the child has set the ring up (a slow guest takes a while).
for (let i = 0; i < 1200 && !sock; i++) {
  try {
    sock = await connect();
  } catch {
    await new Promise((r) => setTimeout(r, 100));
  }
}
const messages = ["hello", "world", "x".repeat(3000)];
const echoed = [];
if (sock) {
  for (const m of messages) {
    const got = await new Promise((res) => {
      let acc = "";
      const timer = setTimeout(() => res(acc), 60000);
      const on = (d) => {
        acc += d;
        if (acc.length >= m.length) {
          clearTimeout(timer);
          sock.off("data", on);
          res(acc);
        }
      };
      sock.on("data", on);
      sock.write(m);
    });
    echoed.push(got === m);
  }
  sock.end();
}
const code = await exited;
console.log(
  JSON.stringify({
    connected: Boolean(sock),
    echoed,
    sent: messages.map((m) => m.length),
    code,
    stdout,
    stderr,
  }),
);
