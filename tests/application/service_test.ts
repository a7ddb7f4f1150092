import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Application,
  MultiService,
  Service,
  ServiceNotFoundError,
  ServiceStateError,
  startApplication,
} from "../../application/mod.ts";
import { Deferred } from "../../deferred/mod.ts";
import { createReactor } from "../../reactor/mod.ts";

/** A service that records its calls in a shared list. */
class Recorder extends Service {
  constructor(readonly label: string, readonly seen: string[], readonly stopWith?: Deferred<void>) {
    super();
  }
  override privilegedStartService(): void {
    this.seen.push(`privileged ${this.label}`);
  }
  override startService(): void {
    super.startService();
    this.seen.push(`start ${this.label}`);
  }
  override stopService(): Deferred<void> | void {
    super.stopService();
    this.seen.push(`stop ${this.label}`);
    return this.stopWith;
  }
}

describe("Service", () => {
  it("keeps running, name and parent (Twisted's Service)", () => {
    const s = new Service();
    assert.equal(s.running, false);
    assert.equal(s.name, null);
    s.setName("a");
    s.startService();
    assert.equal(s.running, true);
    s.stopService();
    assert.equal(s.running, false);
    assert.equal(String(s), "<Service a>");
  });

  it("refuses a new name once it has a parent, as Twisted's setName raises RuntimeError", () => {
    const parent = new MultiService();
    const s = new Service();
    s.setName("a");
    s.setServiceParent(parent);
    assert.throws(() => s.setName("b"), ServiceStateError);
    assert.throws(() => new Service().setName(""), TypeError);
  });

  it("setServiceParent leaves the old parent first", () => {
    const one = new MultiService();
    const two = new MultiService();
    const s = new Service();
    s.setServiceParent(one);
    s.setServiceParent(two);
    assert.deepEqual(one.services(), []);
    assert.deepEqual(two.services(), [s]);
    assert.equal(s.parent, two);
  });

  it("a refused addService leaves the service without a parent", () => {
    const parent = new MultiService();
    const a = new Service();
    a.setName("x");
    a.setServiceParent(parent);
    const b = new Service();
    b.setName("x");
    assert.throws(() => b.setServiceParent(parent), /two services named "x"/);
    assert.equal(b.parent, null);
  });
});

describe("MultiService", () => {
  it("starts children in order and calls every stopService in reverse order", async () => {
    const seen: string[] = [];
    const app = new MultiService();
    for (const label of ["a", "b", "c"]) new Recorder(label, seen).setServiceParent(app);
    app.privilegedStartService();
    app.startService();
    await app.stopService();
    assert.deepEqual(seen, [
      "privileged a",
      "privileged b",
      "privileged c",
      "start a",
      "start b",
      "start c",
      "stop c",
      "stop b",
      "stop a",
    ]);
  });

  it("calls each child's stopService without waiting for the previous one, and fires once all have (Twisted's DeferredList)", () => {
    const seen: string[] = [];
    const slowC = new Deferred<void>();
    const slowA = new Deferred<void>();
    const app = new MultiService();
    new Recorder("a", seen, slowA).setServiceParent(app);
    new Recorder("b", seen).setServiceParent(app);
    new Recorder("c", seen, slowC).setServiceParent(app);
    app.startService();
    let done = false;
    app.stopService().addCallback(() => {
      done = true;
    });
    assert.deepEqual(seen.slice(3), ["stop c", "stop b", "stop a"]);
    assert.equal(done, false);
    slowA.callback();
    assert.equal(done, false);
    slowC.callback();
    assert.equal(done, true);
  });

  it("a child whose stop fails does not keep the collection from stopping", async () => {
    const app = new MultiService();
    const seen: string[] = [];
    class Broken extends Service {
      override stopService(): void {
        throw new Error("broken stop");
      }
    }
    new Recorder("a", seen).setServiceParent(app);
    new Broken().setServiceParent(app);
    app.startService();
    await app.stopService();
    assert.deepEqual(seen, ["start a", "stop a"]);
  });

  it("starts a child added while running and stops one removed while running", () => {
    const seen: string[] = [];
    const app = new MultiService();
    app.startService();
    const slow = new Deferred<void>();
    const late = new Recorder("late", seen, slow);
    late.setServiceParent(app);
    assert.deepEqual(seen, ["privileged late", "start late"]);
    const result = late.disownServiceParent();
    assert.equal(result, slow);
    assert.equal(late.running, false);
    assert.deepEqual(app.services(), []);
  });

  it("does not stop a child removed while not running", () => {
    const seen: string[] = [];
    const app = new MultiService();
    const s = new Recorder("s", seen);
    s.setServiceParent(app);
    assert.equal(s.disownServiceParent(), undefined);
    assert.deepEqual(seen, []);
  });

  it("finds children by name and refuses duplicates", () => {
    const app = new MultiService();
    const db = new Service();
    db.setName("db");
    db.setServiceParent(app);
    assert.equal(app.getServiceNamed("db"), db);
    assert.throws(() => app.getServiceNamed("web"), ServiceNotFoundError);
    assert.throws(() => app.addService(db), ServiceStateError);
    db.disownServiceParent();
    assert.throws(() => app.getServiceNamed("db"), ServiceNotFoundError);
    assert.throws(() => app.removeService(db), ServiceStateError);
  });
});

describe("Application and startApplication", () => {
  it("carries the process settings", () => {
    const app = new Application("svc", { uid: 10, gid: 20 });
    assert.deepEqual([app.name, app.processName, app.uid, app.gid], ["svc", "svc", 10, 20]);
  });

  it("starts services when the reactor runs and holds shutdown until their stop Deferreds fire (Twisted's startApplication)", async () => {
    const reactor = createReactor();
    const seen: string[] = [];
    const slow = new Deferred<void>();
    const app = new Application("app");
    new Recorder("db", seen).setServiceParent(app);
    new Recorder("web", seen, slow).setServiceParent(app);
    startApplication(app, reactor);
    assert.deepEqual(seen, ["privileged db", "privileged web"]);
    reactor.addSystemEventTrigger("during", "shutdown", () => seen.push("during shutdown"));
    reactor.callWhenRunning(() => {
      seen.push("running");
      reactor.stop();
      reactor.callLater(0.02, () => {
        seen.push("web stopped");
        slow.callback();
      });
    });
    await reactor.run();
    assert.deepEqual(seen.slice(2), [
      "start db",
      "start web",
      "running",
      "stop web",
      "stop db",
      "web stopped",
      "during shutdown",
    ]);
  });
});
