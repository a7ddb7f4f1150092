/**
 * A process protocol for the process suites: it keeps everything the child
 * printed (all fds, as text) and promises its `processEnded` reason.
 */
import type { Failure } from "../../deferred/failure.ts";
import { ProcessProtocol } from "../../protocols/process_protocol.ts";

/** Keeps the child's output in `out`; `ended` fires with the reason it ended. */
export class Collecting extends ProcessProtocol {
  out = "";
  readonly ended: Promise<Failure>;
  #resolve!: (f: Failure) => void;
  constructor() {
    super();
    this.ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  override childDataReceived(fd: number, data: Uint8Array): void {
    this.out += new TextDecoder().decode(data);
    super.childDataReceived(fd, data);
  }
  override processEnded(reason: Failure): void {
    this.#resolve(reason);
  }
}
