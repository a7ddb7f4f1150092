// Peers nobody here wrote: Python's socket module and OpenBSD nc talking to
// Skein servers, and Skein clients talking to a Python server, on every
// reactor kind in KINDS. Needs python3 and nc on PATH (both are in the
// project's toolchain image); each test says so when one is missing.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { ITCPTransport } from "../../interfaces.ts";
import { DatagramProtocol } from "../../protocols/mod.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import {
  bound,
  Checksum,
  ClientFactoryOf,
  Echo,
  HalfCloseRecorder,
  KINDS,
  pattern,
  portOf,
  ServerFactoryOf,
  text,
  waitFor,
  withReactor,
} from "./_helpers.ts";

const have = (cmd: string, arg: string): boolean => {
  try {
    return spawnSync(cmd, [arg], { stdio: "ignore" }).error === undefined;
  } catch {
    return false;
  }
};
const HAVE_PY = have("python3", "-V");
const HAVE_NC = have("nc", "-h");

/** Run a command without blocking the loop; resolve with its exit code and output. */
function run(
  cmd: string,
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string; }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Uint8Array) => (stdout += new TextDecoder().decode(d)));
    child.stderr!.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
    child.on("error", reject);
    child.on("close", (code: number | null) => resolve({ code, stdout, stderr }));
    const killer = setTimeout(() => child.kill("SIGKILL"), 15000);
    child.on("close", () => clearTimeout(killer));
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

const dir = mkdtempSync(join(tmpdir(), "skein-interop-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Python client: send N patterned bytes, half-close, read everything back, print count and FNV-1a.
const PY_CLIENT = `
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
x = 1; buf = bytearray(n)
for i in range(n):
    x ^= (x << 13) & 0xffffffff; x ^= x >> 17; x ^= (x << 5) & 0xffffffff
    buf[i] = x & 0xff
s = socket.create_connection((host, port))
s.sendall(buf); s.shutdown(socket.SHUT_WR)
h = 0x811c9dc5; got = 0
while True:
    d = s.recv(65536)
    if not d: break
    got += len(d)
    for b in d:
        h ^= b; h = (h * 0x01000193) & 0xffffffff
print(got, h)
`;

// Python server: accept one connection, read to EOF, answer with the byte count, close.
const PY_SERVER = `
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
c.sendall(("python got %d bytes" % n).encode()); c.close()
`;

for (const kind of KINDS) {
  describe(`interop with Python and nc on ${kind}`, () => {
    it("a Python socket client round-trips 300 kB through a Skein echo server", {
      skip: !HAVE_PY && "python3 not on PATH",
    }, () =>
      withReactor(kind, async (r) => {
        const port = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), {
          interface: "127.0.0.1",
        });
        const n = 300_000;
        const res = await run("python3", [
          "-c",
          PY_CLIENT,
          "127.0.0.1",
          String(portOf(port)),
          String(n),
        ]);
        assert.equal(res.code, 0, res.stderr);
        const sum = new Checksum();
        sum.update(pattern(n, 1));
        assert.equal(res.stdout.trim(), `${n} ${sum.h}`);
        await port.stopListening();
      }));

    it(
      "nc talks to a Skein TCP echo server and a Unix one",
      { skip: !HAVE_NC && "nc not on PATH" },
      () =>
        withReactor(kind, async (r) => {
          const port = r.listenTCP(0, new ServerFactoryOf(() => new Echo()), {
            interface: "127.0.0.1",
          });
          const res = await run("nc", ["-N", "127.0.0.1", String(portOf(port))], "via nc\n");
          assert.equal(res.stdout, "via nc\n");
          const path = join(dir, `nc-${kind}.sock`);
          const uport = r.listenUNIX(path, new ServerFactoryOf(() => new Echo()));
          const ures = await run("nc", ["-N", "-U", path], "nc unix\n");
          assert.equal(ures.stdout, "nc unix\n");
          await port.stopListening();
          await uport.stopListening();
        }),
    );

    it("a Skein client half-closes to a Python server and reads its answer", {
      skip: !HAVE_PY && "python3 not on PATH",
    }, () =>
      withReactor(kind, async (r) => {
        const child = spawn("python3", ["-c", PY_SERVER], { stdio: ["ignore", "pipe", "pipe"] });
        const killer = setTimeout(() => child.kill("SIGKILL"), 15000);
        try {
          const pyPort = await new Promise<number>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d: Uint8Array) => {
              out += new TextDecoder().decode(d);
              if (out.includes("\n")) resolve(Number(out.trim()));
            });
            child.on("error", reject);
          });
          const cf = new ClientFactoryOf(() => new HalfCloseRecorder());
          r.connectTCP("127.0.0.1", pyPort, cf);
          const c = await cf.result;
          c.transport!.write(pattern(300_000, 2));
          (c.transport as ITCPTransport).loseWriteConnection();
          const reason = await c.lost;
          assert.ok(reason.value instanceof ConnectionDone);
          assert.equal(text(c.data()), "python got 300000 bytes");
        } finally {
          clearTimeout(killer);
          child.kill("SIGKILL");
        }
      }));

    it("a Python UDP client gets its datagram echoed by a Skein UDP port", {
      skip: !HAVE_PY && "python3 not on PATH",
    }, () =>
      withReactor(kind, async (r) => {
        class EchoUDP extends DatagramProtocol {
          seen: Array<[string, number]> = [];
          override datagramReceived(data: Uint8Array, addr: [string, number]): void {
            this.seen.push(addr);
            this.transport!.write(data, addr);
          }
        }
        const proto = new EchoUDP();
        // bound(): the host port on Bun learns its port-0 address a microtask later.
        const t = await bound(r.listenUDP(0, proto, { interface: "127.0.0.1" }));
        const p = t.getHost().port;
        const res = await run("python3", [
          "-c",
          `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(5)\ns.sendto(b"py dgram",("127.0.0.1",${p}))\nd,a=s.recvfrom(100)\nprint(d.decode(), s.getsockname()[1])`,
        ]);
        assert.equal(res.code, 0, res.stderr);
        const [msg, pyPort] = res.stdout.trim().split(" ").reduce<[string, string]>(
          (
            acc,
            w,
            i,
            arr,
          ) => (i === arr.length - 1 ? [acc[0].trim(), w] : [acc[0] + " " + w, acc[1]]),
          ["", ""],
        );
        assert.equal(msg, "py dgram");
        await waitFor(() => proto.seen.length === 1, 1000, "datagram seen");
        assert.deepEqual(proto.seen[0], ["127.0.0.1", Number(pyPort)]);
        await t.stopListening();
      }));
  });
}
