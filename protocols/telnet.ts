/**
 * The Telnet protocol (RFC 854): Twisted's `twisted.conch.telnet.Telnet`.
 *
 * {@linkcode Telnet} parses the byte stream into application data, commands
 * and option negotiation. Application data has `IAC IAC` turned back into one
 * 0xFF byte and `CR LF` into `"\n"`, `CR NUL` into `"\r"`. Options are
 * negotiated with the Q method of RFC 1143 as Twisted does it: one state per
 * side of each option (`us`: what this end does, `him`: what the peer does),
 * each "no" or "yes" with a "negotiating" flag, so that a request and the
 * peer's answer never loop. `will`/`wont`/`do`/`dont` ask, and return a
 * Deferred that fires `true` when the peer agrees, or fails with
 * {@linkcode OptionRefused}; the peer's own offers are put to
 * `enableLocal`/`enableRemote`, which refuse everything unless a subclass says
 * otherwise. `NAWS` (window size) subnegotiations reach `windowSizeChanged`.
 *
 * Malformed input (an unknown command byte after IAC, IAC SE outside a
 * subnegotiation, a bad escape inside one, an overlong subnegotiation, a NAWS
 * frame of the wrong length) closes that connection with a logged reason.
 *
 * @example Negotiating echo with a client, over a StringTransport
 * ```ts
 * import assert from "node:assert/strict";
 * import { ECHO, IAC, Telnet, WILL, DO } from "@skein/skein/protocols";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Server extends Telnet {
 *   lines = "";
 *   override applicationDataReceived(data: Uint8Array): void {
 *     this.lines += new TextDecoder().decode(data);
 *   }
 * }
 * const server = new Server();
 * const transport = new StringTransport();
 * server.makeConnection(transport);
 * let agreed = false;
 * server.will(ECHO).addCallback((ok) => { agreed = ok; });
 * assert.deepEqual([...transport.value()], [IAC, WILL, ECHO]);
 * server.dataReceived(new Uint8Array([IAC, DO, ECHO, 0x68, 0x69, 0x0d, 0x0a]));
 * assert.equal(agreed, true);
 * assert.equal(server.lines, "hi\n");
 * ```
 *
 * @module
 */

import { Deferred, fail } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import { Logger } from "../logger/logger.ts";
import { Protocol } from "./protocol.ts";

/** Interpret As Command: the byte that starts every Telnet command (255). */
export const IAC = 255;
/** Asks the peer to stop performing an option (254). */
export const DONT = 254;
/** Asks the peer to perform an option, or agrees that it does (253). */
export const DO = 253;
/** Refuses to perform an option, or stops performing it (252). */
export const WONT = 252;
/** Offers to perform an option, or agrees to (251). */
export const WILL = 251;
/** Starts a subnegotiation (250). */
export const SB = 250;
/** Go Ahead (249). */
export const GA = 249;
/** Erase Line (248). */
export const EL = 248;
/** Erase Character (247). */
export const EC = 247;
/** Are You There (246). */
export const AYT = 246;
/** Abort Output (245). */
export const AO = 245;
/** Interrupt Process (244). */
export const IP = 244;
/** Break (243). */
export const BRK = 243;
/** Data Mark, the end of a Synch (242). */
export const DM = 242;
/** No Operation (241). */
export const NOP = 241;
/** Ends a subnegotiation (240). */
export const SE = 240;
/** End Of Record (239). */
export const EOR = 239;
/** Abort process (238). */
export const ABORT = 238;
/** Suspend process (237). */
export const SUSP = 237;
/** End of file (236). */
export const xEOF = 236;

/** Option: the side that performs it echoes the other side's data (RFC 857). */
export const ECHO = 1;
/** Option: Suppress Go Ahead (RFC 858); with ECHO, a client sends each key at once. */
export const SGA = 3;
/** Option: terminal type (RFC 1091). */
export const TTYPE = 24;
/** Option: Negotiate About Window Size (RFC 1073). */
export const NAWS = 31;
/** Option: line mode (RFC 1184). */
export const LINEMODE = 34;

/** The longest subnegotiation accepted, in bytes; longer ones are malformed input. */
export const MAX_SUBNEGOTIATION = 4096;

/**
 * The peer refused an option this end asked for (Twisted's `OptionRefused`):
 * what the Deferred of `will`/`do` fails with on WONT/DONT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OptionRefused } from "@skein/skein/protocols";
 * assert.equal(new OptionRefused(1).option, 1);
 * ```
 */
export class OptionRefused extends Error {
  /** The option refused. */
  readonly option: number;
  /** An error saying the peer refused `option`. */
  constructor(option: number) {
    super(`the peer refused Telnet option ${option}`);
    this.name = "OptionRefused";
    this.option = option;
  }
}

/**
 * A request about an option that is already being negotiated, or already in
 * the state asked for (Twisted's `AlreadyNegotiating`, `AlreadyEnabled`,
 * `AlreadyDisabled`): `reason` says which.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ECHO, NegotiationError, Telnet } from "@skein/skein/protocols";
 * import { StringTransport } from "@skein/skein/testing";
 * const t = new Telnet();
 * t.makeConnection(new StringTransport());
 * t.will(ECHO);
 * let reason = "";
 * t.will(ECHO).addErrback((f) => { reason = (f.value as NegotiationError).reason; });
 * assert.equal(reason, "already negotiating");
 * ```
 */
export class NegotiationError extends Error {
  /** The option asked about. */
  readonly option: number;
  /** "already negotiating", "already enabled" or "already disabled". */
  readonly reason: "already negotiating" | "already enabled" | "already disabled";
  /** An error about `option`. */
  constructor(option: number, reason: NegotiationError["reason"]) {
    super(`Telnet option ${option}: ${reason}; wait for the negotiation in progress to finish`);
    this.name = "NegotiationError";
    this.option = option;
    this.reason = reason;
  }
}

/**
 * One side of one option: whether it is on, and whether a request of ours
 * is awaiting the peer's answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ECHO, Telnet } from "@skein/skein/protocols";
 * const side = new Telnet().getOptionState(ECHO).us;
 * assert.deepEqual([side.state, side.negotiating], ["no", false]);
 * ```
 */
export interface OptionSide {
  /** "yes" once enabled. */
  state: "no" | "yes";
  /** A request of ours awaits the peer's answer. */
  negotiating: boolean;
  /** Fired with the answer to that request. */
  onResult: Deferred<boolean> | null;
}

/**
 * The state of one option on both sides (Twisted's `_OptionState`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NAWS, Telnet } from "@skein/skein/protocols";
 * assert.equal(new Telnet().getOptionState(NAWS).him.state, "no");
 * ```
 */
export interface OptionState {
  /** This end performs the option (WILL/WONT from us, DO/DONT from the peer). */
  us: OptionSide;
  /** The peer performs the option (WILL/WONT from the peer, DO/DONT from us). */
  him: OptionSide;
}

type ParseState = "data" | "escaped" | "command" | "newline" | "sub" | "sub-escaped";

const COMMANDS = new Set([NOP, DM, BRK, IP, AO, AYT, EC, EL, GA, EOR, ABORT, SUSP, xEOF]);
const log = new Logger({ namespace: "skein.protocols.telnet" });

function side(): OptionSide {
  return { state: "no", negotiating: false, onResult: null };
}

/**
 * The Telnet protocol: Twisted's `Telnet`. Subclass it and override
 * `applicationDataReceived`, and `enableLocal`/`enableRemote` for the options
 * this end accepts. `write` escapes 0xFF bytes of application data.
 *
 * @example A server that accepts the client's window size
 * ```ts
 * import assert from "node:assert/strict";
 * import { DO, IAC, NAWS, SB, SE, Telnet, WILL } from "@skein/skein/protocols";
 * import { StringTransport } from "@skein/skein/testing";
 *
 * class Sized extends Telnet {
 *   size: [number, number] = [0, 0];
 *   override windowSizeChanged(width: number, height: number): void {
 *     this.size = [width, height];
 *   }
 * }
 * const t = new Sized();
 * t.makeConnection(new StringTransport());
 * t.do(NAWS);
 * t.dataReceived(new Uint8Array([IAC, WILL, NAWS, IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE]));
 * assert.deepEqual(t.size, [80, 24]);
 * ```
 */
export class Telnet extends Protocol {
  #options = new Map<number, OptionState>();
  #state: ParseState = "data";
  #command = 0;
  #sub: number[] = [];
  #closed = false;

  /** The state of `option` (created as "no"/"no" on first use). */
  getOptionState(option: number): OptionState {
    let state = this.#options.get(option);
    if (state === undefined) {
      state = { us: side(), him: side() };
      this.#options.set(option, state);
    }
    return state;
  }

  /** Application data, with IAC escapes and CR LF / CR NUL undone. The default discards it. */
  applicationDataReceived(_data: Uint8Array): void {}

  /** May this end perform `option` now that the peer asks (DO)? The default refuses. */
  enableLocal(_option: number): boolean {
    return false;
  }

  /** May the peer perform `option` now that it offers (WILL)? The default refuses. */
  enableRemote(_option: number): boolean {
    return false;
  }

  /** This end stopped performing `option`. The default does nothing. */
  disableLocal(_option: number): void {}

  /** The peer stopped performing `option`. The default does nothing. */
  disableRemote(_option: number): void {}

  /** The peer reported its window size (NAWS). The default does nothing. */
  windowSizeChanged(_width: number, _height: number): void {}

  /** A command other than negotiation arrived (NOP, AYT, IP, …). The default ignores it. */
  commandReceived(_command: number): void {}

  /** A subnegotiation about an option other than NAWS arrived. The default ignores it. */
  unhandledSubnegotiation(_option: number, _bytes: Uint8Array): void {}

  /**
   * Malformed input: log `reason` and close the connection (a subclass may
   * say more first). Nothing after it is parsed.
   */
  protocolError(reason: string): void {
    log.warn("closing a Telnet connection: {reason}", { reason });
    this.transport?.loseConnection();
  }

  /** Write application data: 0xFF bytes are doubled (strings go as UTF-8). */
  write(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    if (!bytes.includes(IAC)) {
      this.transport!.write(bytes);
      return;
    }
    const out: number[] = [];
    for (const b of bytes) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    this.transport!.write(new Uint8Array(out));
  }

  /** Send a command: `IAC command`, or `IAC command option` for negotiation. */
  sendCommand(command: number, option?: number): void {
    this.transport!.write(
      new Uint8Array(option === undefined ? [IAC, command] : [IAC, command, option]),
    );
  }

  /** Send a subnegotiation: `IAC SB option bytes IAC SE`, 0xFF in `bytes` doubled. */
  requestNegotiation(option: number, bytes: Uint8Array): void {
    const out = [IAC, SB, option];
    for (const b of bytes) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    out.push(IAC, SE);
    this.transport!.write(new Uint8Array(out));
  }

  /** Offer to perform `option` (WILL); fires `true` on the peer's DO. */
  will(option: number): Deferred<boolean> {
    return this.#ask(this.getOptionState(option).us, option, "no", WILL);
  }

  /** Stop performing `option` (WONT); fires `true` on the peer's DONT. */
  wont(option: number): Deferred<boolean> {
    return this.#ask(this.getOptionState(option).us, option, "yes", WONT);
  }

  /** Ask the peer to perform `option` (DO); fires `true` on its WILL. */
  do(option: number): Deferred<boolean> {
    return this.#ask(this.getOptionState(option).him, option, "no", DO);
  }

  /** Ask the peer to stop performing `option` (DONT); fires `true` on its WONT. */
  dont(option: number): Deferred<boolean> {
    return this.#ask(this.getOptionState(option).him, option, "yes", DONT);
  }

  #ask(s: OptionSide, option: number, from: "no" | "yes", command: number): Deferred<boolean> {
    if (s.negotiating) return fail(new NegotiationError(option, "already negotiating"));
    if (s.state !== from) {
      return fail(
        new NegotiationError(option, from === "no" ? "already enabled" : "already disabled"),
      );
    }
    s.negotiating = true;
    const d = new Deferred<boolean>();
    s.onResult = d;
    this.sendCommand(command, option);
    return d;
  }

  /** Parse bytes from the peer: application data, commands, negotiation (any chunking). */
  override dataReceived(data: Uint8Array): void {
    const app: number[] = [];
    const flush = (): void => {
      if (app.length > 0) {
        const chunk = new Uint8Array(app);
        app.length = 0;
        this.applicationDataReceived(chunk);
      }
    };
    for (const b of data) {
      if (this.#closed) return;
      switch (this.#state) {
        case "data":
          if (b === IAC) this.#state = "escaped";
          else if (b === 0x0d) this.#state = "newline";
          else app.push(b);
          break;
        case "newline":
          this.#state = "data";
          if (b === 0x0a) app.push(0x0a);
          else if (b === 0x00) app.push(0x0d);
          else if (b === IAC) {
            app.push(0x0d);
            this.#state = "escaped";
          } else app.push(0x0d, b);
          break;
        case "escaped":
          if (b === IAC) {
            app.push(IAC);
            this.#state = "data";
          } else if (b >= WILL && b <= DONT) {
            this.#command = b;
            this.#state = "command";
          } else if (b === SB) {
            this.#sub = [];
            this.#state = "sub";
          } else if (COMMANDS.has(b)) {
            this.#state = "data";
            flush();
            this.commandReceived(b);
          } else {
            flush();
            this.#malformed(
              b === SE ? "IAC SE outside a subnegotiation" : `unknown command byte ${b} after IAC`,
            );
          }
          break;
        case "command":
          this.#state = "data";
          flush();
          this.#negotiation(this.#command, b);
          break;
        case "sub":
          if (b === IAC) this.#state = "sub-escaped";
          else this.#subByte(b);
          break;
        case "sub-escaped":
          if (b === IAC) {
            this.#state = "sub";
            this.#subByte(b);
          } else if (b === SE) {
            this.#state = "data";
            flush();
            this.#subnegotiation();
          } else {
            flush();
            this.#malformed(
              `IAC ${b} inside a subnegotiation (only IAC IAC and IAC SE may appear)`,
            );
          }
          break;
      }
    }
    if (!this.#closed) flush();
  }

  /** The connection is gone: requests still awaiting an answer fail with `reason`. */
  override connectionLost(reason: Failure): void {
    this.#closed = true;
    // Requests still awaiting an answer fail with the reason rather than hang.
    for (const state of this.#options.values()) {
      for (const s of [state.us, state.him]) {
        const d = s.onResult;
        if (d !== null) {
          s.onResult = null;
          s.negotiating = false;
          d.errback(reason);
        }
      }
    }
    super.connectionLost(reason);
  }

  #malformed(reason: string): void {
    this.#closed = true;
    this.protocolError(reason);
  }

  #subByte(b: number): void {
    this.#sub.push(b);
    if (this.#sub.length > MAX_SUBNEGOTIATION) {
      this.#malformed(`a subnegotiation longer than ${MAX_SUBNEGOTIATION} bytes`);
    }
  }

  #subnegotiation(): void {
    const [option, ...rest] = this.#sub;
    this.#sub = [];
    if (option === undefined) {
      this.#malformed("an empty subnegotiation");
      return;
    }
    if (option === NAWS) {
      if (rest.length !== 4) {
        this.#malformed(`a NAWS subnegotiation of ${rest.length} bytes (4 expected)`);
        return;
      }
      this.windowSizeChanged((rest[0] << 8) | rest[1], (rest[2] << 8) | rest[3]);
      return;
    }
    this.unhandledSubnegotiation(option, new Uint8Array(rest));
  }

  // The Q-method tables (Twisted's willMap/wontMap/doMap/dontMap), keyed by
  // the side's state and whether we are negotiating it.
  #negotiation(command: number, option: number): void {
    const state = this.getOptionState(option);
    const positive = command === WILL || command === DO;
    const remote = command === WILL || command === WONT;
    const s = remote ? state.him : state.us;
    const agree = remote ? DO : WILL;
    const refuse = remote ? DONT : WONT;
    const settle = (ok: boolean): void => {
      const d = s.onResult;
      s.onResult = null;
      s.negotiating = false;
      if (d === null) return;
      if (ok) d.callback(true);
      else d.errback(new OptionRefused(option));
    };
    if (positive) {
      if (s.state === "no" && !s.negotiating) {
        // The peer offers (WILL) or asks (DO) on its own: put it to the hook.
        if (remote ? this.enableRemote(option) : this.enableLocal(option)) {
          s.state = "yes";
          this.sendCommand(agree, option);
        } else {
          this.sendCommand(refuse, option);
        }
      } else if (s.state === "no") {
        // The answer to our request: agreed.
        s.state = "yes";
        if (remote) this.enableRemote(option);
        else this.enableLocal(option);
        settle(true);
      } else if (s.negotiating) {
        // We asked to disable and it repeats "enabled": treat as a refusal to disable.
        settle(false);
      }
      // yes and not negotiating: already enabled, ignore (no loop).
    } else {
      if (s.state === "no" && s.negotiating) {
        // The peer refused our request to enable.
        settle(false);
      } else if (s.state === "yes") {
        s.state = "no";
        if (remote) this.disableRemote(option);
        else this.disableLocal(option);
        if (s.negotiating) settle(true);
        else this.sendCommand(refuse, option); // it disables on its own: acknowledge
      }
      // no and not negotiating: already disabled, ignore.
    }
  }
}
