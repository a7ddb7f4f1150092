// The app module the cli tests run with `skein run`: three services that log
// their start and stop (the last one's stop takes 0.2 s, through a Deferred),
// and a TCP service on $FIXTURE_PORT (0: any) that answers each connection
// with this process's pid and closes. With FIXTURE_HANG=1 the last one's stop
// never finishes.
import process from "node:process";
import { Application, Service, strports } from "../../application/mod.ts";
import { Deferred } from "../../deferred/mod.ts";
import { Logger } from "../../logger/mod.ts";
import { Factory, Protocol } from "../../protocols/mod.ts";
import { reactor } from "../../reactor/mod.ts";

const log = new Logger({ namespace: "fixture" });

class Step extends Service {
  constructor(readonly label: string, readonly slowStop: boolean) {
    super();
    this.setName(label);
  }
  override startService(): void {
    super.startService();
    log.info("start {label}", { label: this.label });
  }
  override stopService(): Deferred<void> | void {
    super.stopService();
    log.info("stop {label}", { label: this.label });
    if (!this.slowStop) return;
    const done = new Deferred<void>();
    if (process.env.FIXTURE_HANG === "1") return done;
    reactor.callLater(0.2, () => {
      log.info("stopped {label}", { label: this.label });
      done.callback();
    });
    return done;
  }
}

class PidReply extends Protocol {
  override connectionMade(): void {
    this.transport!.write(`${process.pid}\n`);
    this.transport!.loseConnection();
  }
}

export const application: Application = new Application("fixture");
new Step("a", false).setServiceParent(application);
new Step("b", false).setServiceParent(application);
new Step("c", true).setServiceParent(application);
const factory = Factory.forProtocol(PidReply);
factory.noisy = false;
const pid = strports.service(`tcp:${process.env.FIXTURE_PORT ?? "0"}:interface=127.0.0.1`, factory);
pid.setName("pid");
pid.setServiceParent(application);
reactor.callWhenRunning(async () => {
  const port = await pid.whenListening();
  log.info("fixture listening on {port}", { port: (port.getHost() as { port?: number; }).port });
});
