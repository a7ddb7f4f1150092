import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addObserver, type LogEvent, removeObserver } from "../../../log/log.ts";
import { Int32StringReceiver } from "../../../protocols/basic/int_n_string_receiver.ts";
import { NetstringReceiver } from "../../../protocols/basic/netstring_receiver.ts";
import { StatefulStringProtocol } from "../../../protocols/basic/stateful_string.ts";
import { StringTransport } from "../../../testing/string_transport.ts";
import { dec, enc } from "./_fuzz.ts";

class Login extends StatefulStringProtocol(NetstringReceiver) {
  user = "";
  log: string[] = [];
  proto_init(name: Uint8Array): string {
    this.user = dec(name);
    this.log.push(`user ${this.user}`);
    return "password";
  }
  proto_password(pw: Uint8Array): string {
    this.log.push(`password ${dec(pw)}`);
    this.sendString(`welcome, ${this.user}`);
    return "done";
  }
}

describe("StatefulStringProtocol (twisted.protocols.basic.StatefulStringProtocol)", () => {
  it("dispatches to proto_<state>; the result is the next state; 'done' closes", () => {
    const p = new Login();
    const t = new StringTransport();
    p.makeConnection(t);
    assert.equal(p.state, "init");
    p.dataReceived(enc("5:alice,"));
    assert.equal(p.state, "password");
    assert.equal(t.disconnecting, false);
    p.dataReceived(enc("6:secret,"));
    assert.deepEqual(p.log, ["user alice", "password secret"]);
    assert.equal(p.state, "done");
    assert.equal(t.disconnecting, true);
    assert.equal(t.valueString(), "14:welcome, alice,");
  });

  it("a state without a method is logged and the string dropped", () => {
    class P extends StatefulStringProtocol(Int32StringReceiver) {
      proto_init(_d: Uint8Array): string {
        return "nowhere";
      }
    }
    const p = new P();
    p.makeConnection(new StringTransport());
    const seen: string[] = [];
    const obs = (e: LogEvent): void => {
      seen.push(e.message.join(" "));
    };
    addObserver(obs);
    try {
      p.dataReceived(new Uint8Array([0, 0, 0, 1, 65, 0, 0, 0, 1, 66]));
    } finally {
      removeObserver(obs);
    }
    assert.equal(p.state, "nowhere");
    assert.deepEqual(seen, ["callback nowhere not found"]);
  });

  it("a handler returning nothing keeps the state", () => {
    class P extends StatefulStringProtocol(NetstringReceiver) {
      n = 0;
      proto_init(_d: Uint8Array): void {
        this.n++;
      }
    }
    const p = new P();
    p.makeConnection(new StringTransport());
    p.dataReceived(enc("1:a,1:b,1:c,"));
    assert.equal(p.n, 3);
    assert.equal(p.state, "init");
  });
});
