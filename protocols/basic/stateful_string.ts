/**
 * `StatefulStringProtocol`: Twisted's state-machine mixin for string
 * protocols (`twisted.protocols.basic.StatefulStringProtocol`): each received
 * string goes to the method `proto_<state>`, whose result is the next state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Int32StringReceiver, StatefulStringProtocol } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Login extends StatefulStringProtocol(Int32StringReceiver) {
 *   user = "";
 *   proto_init(name: Uint8Array): string {
 *     this.user = new TextDecoder().decode(name);
 *     return "password";
 *   }
 *   proto_password(_pw: Uint8Array): string {
 *     this.sendString(`welcome, ${this.user}`);
 *     return "done"; // closes the connection
 *   }
 * }
 * const t = new StringTransport();
 * const login = new Login();
 * login.makeConnection(t);
 * login.dataReceived(new Uint8Array([0, 0, 0, 3, 98, 111, 98, 0, 0, 0, 2, 112, 119]));
 * assert.equal(login.state, "done");
 * assert.equal(new TextDecoder().decode(t.value().subarray(4)), "welcome, bob");
 * assert.equal(t.disconnecting, true);
 * ```
 *
 * @module
 */

import { msgWith } from "../../log/log.ts";
import type { Protocol } from "../protocol.ts";

/**
 * A string-receiver class (`NetstringReceiver`, `Int32StringReceiver`, …):
 * what {@linkcode StatefulStringProtocol} can be mixed into.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Protocol } from "@skein/skein/protocols";
 * import { NetstringReceiver, type StringReceiverClass } from "@skein/skein/protocols/basic";
 * const base: StringReceiverClass = NetstringReceiver;
 * assert.ok(new NetstringReceiver() instanceof Protocol);
 * ```
 */
// deno-lint-ignore no-explicit-any
export type StringReceiverClass = abstract new(...args: any[]) => Protocol & {
  stringReceived(data: Uint8Array): void;
};

/**
 * What {@linkcode StatefulStringProtocol} adds: the current `state`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StatefulString } from "@skein/skein/protocols/basic";
 * const s: StatefulString = { state: "init" };
 * assert.equal(s.state, "init");
 * ```
 */
export interface StatefulString {
  /** The current state: strings go to `proto_<state>`. Starts as `"init"`. */
  state: string;
}

/**
 * Mix a state machine into a string receiver (Twisted's
 * `StatefulStringProtocol`): each string goes to the method
 * `proto_<state>(data)`, whose returned string becomes the next state
 * (returning nothing keeps the state). The state `"done"` closes the
 * connection. A state without a method is logged (`callback <state> not
 * found`) and the string dropped, as in Twisted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetstringReceiver, StatefulStringProtocol } from "@skein/skein/protocols/basic";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Counter extends StatefulStringProtocol(NetstringReceiver) {
 *   seen: string[] = [];
 *   proto_init(d: Uint8Array): string {
 *     this.seen.push(`init:${new TextDecoder().decode(d)}`);
 *     return "more";
 *   }
 *   proto_more(d: Uint8Array): void {
 *     this.seen.push(`more:${new TextDecoder().decode(d)}`);
 *   }
 * }
 * const p = new Counter();
 * p.makeConnection(new StringTransport());
 * p.dataReceived(new TextEncoder().encode("1:a,1:b,1:c,"));
 * assert.equal(p.seen.join(), "init:a,more:b,more:c");
 * ```
 */
export function StatefulStringProtocol<B extends StringReceiverClass>(
  Base: B,
  // deno-lint-ignore no-explicit-any
): B & (abstract new(...args: any[]) => StatefulString) {
  abstract class Stateful extends Base implements StatefulString {
    state: string = "init";

    override stringReceived(data: Uint8Array): void {
      const handler = (this as unknown as Record<string, unknown>)[`proto_${this.state}`];
      if (typeof handler !== "function") {
        msgWith({ system: this.logPrefix() }, "callback", this.state, "not found");
        return;
      }
      const next: unknown = handler.call(this, data);
      if (typeof next === "string") this.state = next;
      if (this.state === "done") this.transport?.loseConnection();
    }
  }
  return Stateful;
}
