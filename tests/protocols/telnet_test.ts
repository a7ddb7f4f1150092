// protocols/telnet.ts: the Telnet parser and the Q-method option negotiation,
// pinned against Twisted's conch telnet behaviour (test_telnet.py's
// TelnetTransportTests: escaping, commands, enable/refuse both ways, requests
// answered or refused, a request blocks another until answered, superfluous
// requests fail, a lost connection fails what is pending).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Failure } from "../../deferred/failure.ts";
import {
  AYT,
  DO,
  DONT,
  ECHO,
  IAC,
  LINEMODE,
  MAX_SUBNEGOTIATION,
  NAWS,
  type NegotiationError,
  NOP,
  OptionRefused,
  SB,
  SE,
  SGA,
  Telnet,
  WILL,
  WONT,
} from "../../protocols/telnet.ts";
import { ConnectionLost } from "../../reactor/errors.ts";
import { connect, FakeTransport } from "../../testing/iosim.ts";
import { StringTransport } from "../../testing/string_transport.ts";

class Recorder extends Telnet {
  data: number[] = [];
  commands: number[] = [];
  subs: [number, number[]][] = [];
  sizes: [number, number][] = [];
  errors: string[] = [];
  enabledLocal: number[] = [];
  enabledRemote: number[] = [];
  disabledLocal: number[] = [];
  disabledRemote: number[] = [];
  acceptLocal = new Set<number>();
  acceptRemote = new Set<number>();

  override applicationDataReceived(data: Uint8Array): void {
    this.data.push(...data);
  }
  override commandReceived(command: number): void {
    this.commands.push(command);
  }
  override unhandledSubnegotiation(option: number, bytes: Uint8Array): void {
    this.subs.push([option, [...bytes]]);
  }
  override windowSizeChanged(width: number, height: number): void {
    this.sizes.push([width, height]);
  }
  override protocolError(reason: string): void {
    this.errors.push(reason);
    super.protocolError(reason);
  }
  override enableLocal(option: number): boolean {
    this.enabledLocal.push(option);
    return this.acceptLocal.has(option);
  }
  override enableRemote(option: number): boolean {
    this.enabledRemote.push(option);
    return this.acceptRemote.has(option);
  }
  override disableLocal(option: number): void {
    this.disabledLocal.push(option);
  }
  override disableRemote(option: number): void {
    this.disabledRemote.push(option);
  }
}

function connected(): { telnet: Recorder; transport: StringTransport; } {
  const telnet = new Recorder();
  const transport = new StringTransport();
  telnet.makeConnection(transport);
  return { telnet, transport };
}

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const text = (s: string): number[] => [...new TextEncoder().encode(s)];

describe("Telnet parsing", () => {
  it("delivers plain data, and one 0xFF for IAC IAC (Twisted's testIACEscape)", () => {
    const { telnet } = connected();
    telnet.dataReceived(bytes(...text("a"), IAC, IAC, ...text("b")));
    assert.deepEqual(telnet.data, [...text("a"), 0xff, ...text("b")]);
  });

  it("turns CR LF into LF and CR NUL into CR, also split across chunks", () => {
    const { telnet } = connected();
    telnet.dataReceived(bytes(...text("x"), 0x0d));
    telnet.dataReceived(bytes(0x0a, ...text("y"), 0x0d, 0x00, ...text("z"), 0x0d));
    telnet.dataReceived(bytes(...text("w")));
    assert.deepEqual(telnet.data, [...text("x\ny\rz\rw")]);
  });

  it("parses an IAC sequence cut at every byte boundary", () => {
    const { telnet } = connected();
    telnet.acceptRemote.add(NAWS);
    const stream = [IAC, WILL, NAWS, IAC, SB, NAWS, 0, 100, 0, 40, IAC, SE, ...text("ok")];
    for (const b of stream) telnet.dataReceived(bytes(b));
    assert.deepEqual(telnet.sizes, [[100, 40]]);
    assert.deepEqual(telnet.data, text("ok"));
  });

  it("reports commands (NOP, AYT) between data (Twisted's testOurCommands)", () => {
    const { telnet } = connected();
    telnet.dataReceived(bytes(...text("a"), IAC, NOP, ...text("b"), IAC, AYT));
    assert.deepEqual(telnet.commands, [NOP, AYT]);
    assert.deepEqual(telnet.data, text("ab"));
  });

  it("unescapes IAC IAC inside a subnegotiation and hands other options to the hook", () => {
    const { telnet } = connected();
    telnet.dataReceived(bytes(IAC, SB, LINEMODE, 1, IAC, IAC, 2, IAC, SE));
    assert.deepEqual(telnet.subs, [[LINEMODE, [1, 0xff, 2]]]);
  });

  it("a NAWS size above 255 uses both bytes", () => {
    const { telnet } = connected();
    telnet.dataReceived(bytes(IAC, SB, NAWS, 1, 44, 0, 50, IAC, SE));
    assert.deepEqual(telnet.sizes, [[300, 50]]);
  });

  it("escapes 0xFF in what it writes, and in a subnegotiation it requests", () => {
    const { telnet, transport } = connected();
    telnet.write(bytes(1, 0xff, 2));
    telnet.requestNegotiation(LINEMODE, bytes(0xff));
    assert.deepEqual([...transport.value()], [
      1,
      0xff,
      0xff,
      2,
      IAC,
      SB,
      LINEMODE,
      0xff,
      0xff,
      IAC,
      SE,
    ]);
  });

  for (
    const [name, input, reason] of [
      ["an unknown command byte", [IAC, 7], /unknown command byte 7/],
      ["IAC SE outside a subnegotiation", [IAC, SE], /IAC SE outside/],
      ["a bad escape inside a subnegotiation", [IAC, SB, LINEMODE, IAC, 9], /IAC 9 inside/],
      [
        "a NAWS frame of the wrong length",
        [IAC, SB, NAWS, 0, 80, IAC, SE],
        /NAWS subnegotiation of 2 bytes/,
      ],
      ["an empty subnegotiation", [IAC, SB, IAC, SE], /empty subnegotiation/],
    ] as const
  ) {
    it(`closes the connection with a reason on ${name}, and parses nothing after`, () => {
      const { telnet, transport } = connected();
      telnet.dataReceived(bytes(...text("ok"), ...input, ...text("after")));
      assert.equal(telnet.errors.length, 1);
      assert.match(telnet.errors[0], reason);
      assert.equal(transport.disconnecting, true);
      assert.deepEqual(telnet.data, text("ok"));
    });
  }

  it("closes on a subnegotiation longer than the limit instead of buffering it", () => {
    const { telnet, transport } = connected();
    telnet.dataReceived(bytes(IAC, SB, LINEMODE, ...new Array(MAX_SUBNEGOTIATION + 1).fill(1)));
    assert.match(telnet.errors[0], /longer than 4096 bytes/);
    assert.equal(transport.disconnecting, true);
  });
});

describe("Telnet option negotiation (Q method, as Twisted)", () => {
  it("the peer's DO is put to enableLocal: accepted gets WILL (Twisted's testEnableLocal)", () => {
    const { telnet, transport } = connected();
    telnet.acceptLocal.add(ECHO);
    telnet.dataReceived(bytes(IAC, DO, ECHO));
    assert.deepEqual([...transport.value()], [IAC, WILL, ECHO]);
    assert.equal(telnet.getOptionState(ECHO).us.state, "yes");
    assert.deepEqual(telnet.enabledLocal, [ECHO]);
  });

  it("refused gets WONT and the option stays off (Twisted's testRefuseLocal)", () => {
    const { telnet, transport } = connected();
    telnet.dataReceived(bytes(IAC, DO, ECHO));
    assert.deepEqual([...transport.value()], [IAC, WONT, ECHO]);
    assert.equal(telnet.getOptionState(ECHO).us.state, "no");
  });

  it("the peer's WILL is put to enableRemote: DO or DONT (testEnableRemote/testRefuseRemote)", () => {
    const { telnet, transport } = connected();
    telnet.acceptRemote.add(NAWS);
    telnet.dataReceived(bytes(IAC, WILL, NAWS, IAC, WILL, LINEMODE));
    assert.deepEqual([...transport.value()], [IAC, DO, NAWS, IAC, DONT, LINEMODE]);
    assert.equal(telnet.getOptionState(NAWS).him.state, "yes");
    assert.equal(telnet.getOptionState(LINEMODE).him.state, "no");
  });

  it("a WILL for an option already on is ignored: no answer, so no loop", () => {
    const { telnet, transport } = connected();
    telnet.acceptRemote.add(SGA);
    telnet.dataReceived(bytes(IAC, WILL, SGA));
    transport.clear();
    telnet.dataReceived(bytes(IAC, WILL, SGA));
    assert.equal(transport.value().length, 0);
    assert.deepEqual(telnet.enabledRemote, [SGA]);
  });

  it("a WONT for an option already off is ignored", () => {
    const { telnet, transport } = connected();
    telnet.dataReceived(bytes(IAC, WONT, SGA, IAC, DONT, SGA));
    assert.equal(transport.value().length, 0);
  });

  it("our request answered fires true and enables (testAcceptedEnableRequest)", () => {
    const { telnet, transport } = connected();
    const results: boolean[] = [];
    telnet.do(NAWS).addCallback((ok) => {
      results.push(ok);
    });
    assert.deepEqual([...transport.value()], [IAC, DO, NAWS]);
    assert.equal(telnet.getOptionState(NAWS).him.negotiating, true);
    transport.clear();
    telnet.dataReceived(bytes(IAC, WILL, NAWS));
    assert.deepEqual(results, [true]);
    assert.equal(transport.value().length, 0, "the answer is not answered again");
    assert.deepEqual(telnet.getOptionState(NAWS).him, {
      state: "yes",
      negotiating: false,
      onResult: null,
    });
    assert.deepEqual(telnet.enabledRemote, [NAWS]);
  });

  it("our request refused fails with OptionRefused (testRefusedEnableRequest)", () => {
    const { telnet } = connected();
    const errors: unknown[] = [];
    telnet.will(ECHO).addErrback((f: Failure) => {
      errors.push(f.value);
    });
    telnet.dataReceived(bytes(IAC, DONT, ECHO));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof OptionRefused);
    assert.equal((errors[0] as OptionRefused).option, ECHO);
    assert.deepEqual(telnet.getOptionState(ECHO).us, {
      state: "no",
      negotiating: false,
      onResult: null,
    });
  });

  it("disabling an enabled option: WONT, answered by DONT, fires true (testAcceptedDisableRequest)", () => {
    const { telnet, transport } = connected();
    telnet.acceptLocal.add(ECHO);
    telnet.dataReceived(bytes(IAC, DO, ECHO));
    transport.clear();
    const results: boolean[] = [];
    telnet.wont(ECHO).addCallback((ok) => {
      results.push(ok);
    });
    assert.deepEqual([...transport.value()], [IAC, WONT, ECHO]);
    telnet.dataReceived(bytes(IAC, DONT, ECHO));
    assert.deepEqual(results, [true]);
    assert.equal(telnet.getOptionState(ECHO).us.state, "no");
    assert.deepEqual(telnet.disabledLocal, [ECHO]);
  });

  it("the peer disabling on its own is acknowledged once", () => {
    const { telnet, transport } = connected();
    telnet.acceptRemote.add(NAWS);
    telnet.dataReceived(bytes(IAC, WILL, NAWS));
    transport.clear();
    telnet.dataReceived(bytes(IAC, WONT, NAWS));
    assert.deepEqual([...transport.value()], [IAC, DONT, NAWS]);
    assert.deepEqual(telnet.disabledRemote, [NAWS]);
  });

  it("a request blocks another on the same side until answered (testNegotiationBlocksFurtherNegotiation)", () => {
    const { telnet, transport } = connected();
    telnet.will(ECHO);
    let reason = "";
    telnet.will(ECHO).addErrback((f: Failure) => {
      reason = (f.value as NegotiationError).reason;
    });
    assert.equal(reason, "already negotiating");
    assert.deepEqual([...transport.value()], [IAC, WILL, ECHO], "only one WILL went out");
    // The other side of the same option is independent.
    telnet.do(ECHO).addErrback(() => null);
    assert.deepEqual([...transport.value()], [IAC, WILL, ECHO, IAC, DO, ECHO]);
  });

  it("superfluous requests fail: enabling an enabled option, disabling a disabled one (testSuperfluous…)", () => {
    const { telnet, transport } = connected();
    telnet.acceptRemote.add(SGA);
    telnet.dataReceived(bytes(IAC, WILL, SGA));
    transport.clear();
    const reasons: string[] = [];
    const record = (f: Failure): void => {
      reasons.push((f.value as NegotiationError).reason);
    };
    telnet.do(SGA).addErrback(record);
    telnet.wont(SGA).addErrback(record);
    telnet.dont(ECHO).addErrback(record);
    assert.deepEqual(reasons, ["already enabled", "already disabled", "already disabled"]);
    assert.equal(transport.value().length, 0);
  });

  it("a lost connection fails each pending request with its reason (testLostConnectionFailsDeferreds)", () => {
    const { telnet } = connected();
    const failures: unknown[] = [];
    for (const d of [telnet.will(ECHO), telnet.do(NAWS), telnet.do(SGA)]) {
      d.addErrback((f: Failure) => {
        failures.push(f.value);
      });
    }
    const reason = new Failure(new ConnectionLost());
    telnet.connectionLost(reason);
    assert.equal(failures.length, 3);
    assert.ok(failures.every((v) => v instanceof ConnectionLost));
    assert.equal(telnet.getOptionState(NAWS).him.negotiating, false);
  });
});

describe("two Telnet ends over iosim", () => {
  it("both offering the same option at once settle in one exchange, without a negotiation loop", () => {
    const left = new Recorder();
    const right = new Recorder();
    for (const end of [left, right]) {
      end.acceptLocal.add(SGA);
      end.acceptRemote.add(SGA);
    }
    const leftT = new FakeTransport(left, true);
    const rightT = new FakeTransport(right, false);
    const pump = connect(left, leftT, right, rightT);
    let writes = 0;
    for (const t of [leftT, rightT]) {
      const write = t.write.bind(t);
      t.write = (data: Uint8Array | string): void => {
        writes++;
        write(data);
      };
    }
    const agreed: boolean[] = [];
    for (const end of [left, right]) {
      end.will(SGA).addCallback((ok) => {
        agreed.push(ok);
      });
    }
    pump.flush();
    assert.deepEqual(agreed, [true, true]);
    // Each end: its WILL, then DO in answer to the other's WILL; nothing more.
    assert.equal(writes, 4);
    for (const end of [left, right]) {
      assert.deepEqual(
        [end.getOptionState(SGA).us.state, end.getOptionState(SGA).him.state],
        ["yes", "yes"],
      );
    }
  });

  it("a refusing end and an asking end: the request fails once, and asking again is allowed", () => {
    const asker = new Recorder();
    const refuser = new Recorder();
    const pump = connect(
      asker,
      new FakeTransport(asker, true),
      refuser,
      new FakeTransport(refuser, false),
    );
    const outcomes: string[] = [];
    const ask = (): void => {
      asker.do(NAWS).addCallbacks(
        () => {
          outcomes.push("agreed");
        },
        (f: Failure) => {
          outcomes.push((f.value as Error).name);
        },
      );
    };
    ask();
    pump.flush();
    ask();
    pump.flush();
    assert.deepEqual(outcomes, ["OptionRefused", "OptionRefused"]);
    assert.deepEqual(refuser.enabledLocal, [NAWS, NAWS]);
  });
});
