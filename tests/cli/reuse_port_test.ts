// The listenTCP option `skein run --workers` relies on: SO_REUSEPORT.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Factory, Protocol } from "../../protocols/mod.ts";
import { CannotListenError, createReactor } from "../../reactor/mod.ts";
import { freePort } from "./_helpers.ts";

describe("listenTCP reusePort", () => {
  it("lets two FFI ports listen on one TCP port, and without it the second is refused", async () => {
    const reactor = createReactor("poll");
    const factory = Factory.forProtocol(Protocol);
    factory.noisy = false;
    const port = await freePort();
    let shared = false;
    reactor.callWhenRunning(async () => {
      const one = reactor.listenTCP(port, factory, { interface: "127.0.0.1", reusePort: true });
      const two = reactor.listenTCP(port, factory, { interface: "127.0.0.1", reusePort: true });
      shared = one.getHost().port === port && two.getHost().port === port;
      try {
        assert.throws(
          () => reactor.listenTCP(port, factory, { interface: "127.0.0.1" }),
          CannotListenError,
        );
      } finally {
        await one.stopListening();
        await two.stopListening();
        reactor.stop();
      }
    });
    await reactor.run();
    assert.equal(shared, true);
  });

  it("the host reactor refuses it with a CannotListenError that says why", () => {
    const reactor = createReactor("host");
    assert.throws(
      () => reactor.listenTCP(0, new Factory(), { interface: "127.0.0.1", reusePort: true }),
      (e: unknown) =>
        e instanceof CannotListenError
        && /needs an FFI reactor/.test(String((e as Error).cause ?? e.message)),
    );
  });
});
