// Child process for reconnecting_client_factory_test.ts: a ReconnectingClientFactory without a
// clock schedules its retry on the process-wide reactor (Twisted's default).
import type { IAddress, IConnector } from "../../interfaces.ts";
import { ReconnectingClientFactory } from "../../protocols/reconnecting_client_factory.ts";
import { IPv4Address } from "../../reactor/address.ts";
import { getReactor } from "../../reactor/install.ts";

const connector: IConnector = {
  stopConnecting(): void {},
  disconnect(): void {},
  connect(): void {},
  getDestination(): IAddress {
    return new IPv4Address("TCP", "127.0.0.1", 1);
  },
};
const f = new ReconnectingClientFactory();
f.noisy = false;
f.retry(connector);
const r = getReactor();
const calls = r.getDelayedCalls();
const ok = f.clock === r && calls.length === 1;
f.stopTrying();
console.log(ok && r.getDelayedCalls().length === 0 ? "OK" : "BAD");
