// Shared by the tests of protocols/: a connector that counts calls, and a log capture.
import type { IAddress, IConnector } from "../../interfaces.ts";
import { addObserver, type LogEvent, removeObserver } from "../../log/log.ts";
import { IPv4Address } from "../../reactor/address.ts";
import { NotConnectingError } from "../../reactor/errors.ts";

export const ADDR: IAddress = new IPv4Address("TCP", "127.0.0.1", 1234);

export class FakeConnector implements IConnector {
  connects = 0;
  stops = 0;
  notConnecting = false;
  stopConnecting(): void {
    this.stops++;
    if (this.notConnecting) throw new NotConnectingError();
  }
  disconnect(): void {}
  connect(): void {
    this.connects++;
  }
  getDestination(): IAddress {
    return ADDR;
  }
}

export function captureLog(fn: () => void): string[] {
  const seen: string[] = [];
  const obs = (e: LogEvent): void => {
    seen.push(e.message.map(String).join(" "));
  };
  addObserver(obs);
  try {
    fn();
  } finally {
    removeObserver(obs);
  }
  return seen;
}
