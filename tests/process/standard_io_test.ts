// StandardIO in-process on each FFI poller, over pipes standing in for stdin
// and stdout: Twisted's half-close rule at the end of stdin (a protocol with
// readConnectionLost hears it and can still write; any other loses the
// connection), loseConnection after the buffer drains, and the fds' original
// (blocking) flags put back. (The host reactor's StandardIO uses the runtime's
// process.stdin/stdout, so it is tested as a real process in
// tests/examples/stdio_shout_test.ts.)
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StandardIO } from "../../process/mod.ts";
import { ConnectionDone } from "../../reactor/errors.ts";
import { constants, libc } from "../../reactor/ffi/mod.ts";
import { KINDS, withReactor } from "../reactor/_helpers.ts";
import { pipe, readAll, Recorder } from "./_stdio_helpers.ts";

class HalfCloser extends Recorder {
  readConnectionLost(): void {
    this.events.push("readConnectionLost");
    this.transport!.write("still writing");
    this.transport!.loseConnection();
  }
  writeConnectionLost(): void {
    this.events.push("writeConnectionLost");
  }
}

for (const kind of KINDS.filter((k) => k !== "host")) {
  describe(`StandardIO on ${kind}`, () => {
    it("a half-closeable protocol hears the end of stdin and can still write", () =>
      withReactor(kind, async (r) => {
        const [inRead, inWrite] = pipe();
        const [outRead, outWrite] = pipe();
        const p = new HalfCloser();
        new StandardIO(p, { reactor: r, stdin: inRead, stdout: outWrite });
        libc().write(inWrite, new TextEncoder().encode("ping"), 4);
        libc().close(inWrite);
        const reason = await p.lost;
        assert.ok(reason.check(ConnectionDone));
        assert.deepEqual(p.events, ["data ping", "readConnectionLost", "connectionLost"]);
        assert.equal(readAll(outRead), "still writing");
        // The fds were blocking before: so they are again.
        for (const fd of [inRead, outWrite]) {
          assert.equal(libc().fcntl(fd, constants.F_GETFL, 0) & constants.O_NONBLOCK, 0);
        }
        for (const fd of [inRead, outRead, outWrite]) libc().close(fd);
      }));

    it("any other protocol loses the connection at the end of stdin", () =>
      withReactor(kind, async (r) => {
        const [inRead, inWrite] = pipe();
        const [outRead, outWrite] = pipe();
        const p = new Recorder();
        const t = new StandardIO(p, { reactor: r, stdin: inRead, stdout: outWrite });
        t.write("hello");
        libc().close(inWrite);
        assert.ok((await p.lost).check(ConnectionDone));
        assert.deepEqual(p.events, ["connectionLost"]);
        assert.equal(readAll(outRead), "hello");
        assert.equal(t.getPeer().toString(), "PipeAddress()");
        for (const fd of [inRead, outRead, outWrite]) libc().close(fd);
      }));

    it("rejects a bad fd with a TypeError", () =>
      withReactor(kind, (r) => {
        assert.throws(
          () => new StandardIO(new Recorder(), { reactor: r, stdin: -1 }),
          /stdin must be a file descriptor/,
        );
        return Promise.resolve();
      }));
  });
}

describe("StandardIO on host", () => {
  it("takes fds 0 and 1 only", () =>
    withReactor("host", (r) => {
      assert.throws(
        () => new StandardIO(new Recorder(), { reactor: r, stdin: 5 }),
        /need the FFI reactor/,
      );
      return Promise.resolve();
    }));
});
