/**
 * The manhole over Telnet: Twisted's `conch.manhole.ColoredManhole` behind
 * `conch.telnet`'s bootstrap, as one protocol. A client logs in with the
 * secret, then types JavaScript that runs in the app's namespace; values are
 * shown as Node's REPL shows them, and a Deferred as Twisted's manhole does:
 * `<Deferred #1>` at once, then `Deferred #1 called back: 42` (or
 * `Deferred #1 failed: '…'`) above the prompt when it fires; one that has
 * fired already shows as its repr, `<Deferred current result: 42>`.
 *
 * On connecting, the server offers ECHO and Suppress-Go-Ahead and asks for
 * the window size (NAWS), so a Telnet client sends each key as typed and
 * leaves echoing to the line editor.
 *
 * @example A session over a StringTransport
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManholeFactory, SecretChecker } from "@skein/skein/manhole";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { MemoryReactorClock, StringTransport } from "@skein/skein/testing";
 *
 * const reactor = new MemoryReactorClock();
 * const app = { visits: 1 };
 * const factory = new ManholeFactory({
 *   reactor,
 *   namespace: { app },
 *   checker: new SecretChecker("s3cret"),
 * });
 * const peer = new IPv4Address("TCP", "127.0.0.1", 50000);
 * const session = factory.buildProtocol(peer)!;
 * const transport = new StringTransport({ peerAddress: peer });
 * session.makeConnection(transport);
 * const type = (text: string) => session.dataReceived(new TextEncoder().encode(text));
 * type("s3cret\r\n");
 * transport.clear();
 * type("app.visits += 1\r\n");
 * await factory.idle();
 * assert.match(transport.valueString(), /\r\n2\r\n/);
 * assert.equal(app.visits, 2);
 * session.transport!.loseConnection();
 * ```
 *
 * @module
 */

import { inspect } from "node:util";
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import type { IAddress, IDelayedCall, IReactorTime } from "../interfaces.ts";
import { Logger } from "../logger/logger.ts";
import { Factory } from "../protocols/factory.ts";
import { ECHO, NAWS, SGA, Telnet } from "../protocols/telnet.ts";
import { LoginLimiter, type LoginLimiterOptions, type SecretChecker } from "./auth.ts";
import { Evaluator, isIncomplete } from "./evaluator.ts";
import { LineEditor } from "./line_editor.ts";
import { reactorStatus } from "./status.ts";

const log = new Logger({ namespace: "skein.manhole" });
// The longest password line, and the longest input once logged in (a line, or
// what is typed ahead): past them the connection is closed as malformed input.
const MAX_PASSWORD = 4096;
const MAX_INPUT = 1_000_000;

/**
 * Options of a {@linkcode ManholeFactory}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ManholeFactoryOptions, SecretChecker } from "@skein/skein/manhole";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 * const options: ManholeFactoryOptions = {
 *   reactor: new MemoryReactorClock(),
 *   checker: new SecretChecker("token"),
 *   failureDelay: 2,
 * };
 * assert.equal(options.failureDelay, 2);
 * ```
 */
export interface ManholeFactoryOptions {
  /** The reactor: its clock paces logins, and `status()` describes it. */
  reactor: IReactorTime;
  /** Checks the password or token typed at login. */
  checker: SecretChecker;
  /**
   * The names the sessions see (used as is, so the app sees assignments).
   * `reactor` and `status` (the live view) are added unless present.
   */
  namespace?: Record<string, unknown>;
  /** Seconds a refused login waits before the next prompt. @default {1} */
  failureDelay?: number;
  /** Attempts one connection may make before it is closed. @default {3} */
  attemptsPerConnection?: number;
  /** Failures per peer that lock it out (over all its connections). */
  limits?: LoginLimiterOptions;
}

/**
 * Makes a {@linkcode ManholeSession} per connection; the sessions share the
 * namespace and the per-peer login limits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManholeFactory, SecretChecker } from "@skein/skein/manhole";
 * import { MemoryReactorClock } from "@skein/skein/testing";
 * const factory = new ManholeFactory({
 *   reactor: new MemoryReactorClock(),
 *   checker: new SecretChecker("token"),
 *   namespace: { answer: 42 },
 * });
 * assert.equal(typeof factory.evaluator.namespace.status, "function");
 * assert.equal(factory.sessions.size, 0);
 * ```
 */
export class ManholeFactory extends Factory {
  /** The protocol built per connection. */
  override protocol: typeof ManholeSession = ManholeSession;
  /** Runs the sessions' inputs in the shared namespace. */
  readonly evaluator: Evaluator;
  /** The reactor given. */
  readonly reactor: IReactorTime;
  /** Checks login attempts. */
  readonly checker: SecretChecker;
  /** Failed logins per peer. */
  readonly limiter: LoginLimiter;
  /** Seconds a refused login waits before the next prompt. */
  readonly failureDelay: number;
  /** Attempts one connection may make. */
  readonly attemptsPerConnection: number;
  /** The sessions connected now. */
  readonly sessions: Set<ManholeSession> = new Set();

  /** A factory over `options` (see {@linkcode ManholeFactoryOptions}). */
  constructor(options: ManholeFactoryOptions) {
    super();
    this.noisy = false;
    this.reactor = options.reactor;
    this.checker = options.checker;
    this.failureDelay = options.failureDelay ?? 1;
    this.attemptsPerConnection = options.attemptsPerConnection ?? 3;
    this.limiter = new LoginLimiter(options.reactor, options.limits);
    const namespace = options.namespace ?? {};
    if (!("reactor" in namespace)) namespace.reactor = options.reactor;
    if (!("status" in namespace)) namespace.status = () => reactorStatus(options.reactor);
    this.evaluator = new Evaluator(namespace);
  }

  /** Resolves once no session is evaluating an input (for tests and examples). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.sessions].map((s) => s.evaluating).filter((p) => p !== null);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }
}

/**
 * One manhole connection: the Telnet options, the line editor, the login,
 * then the REPL. ^C abandons the line being typed, or stops waiting for an
 * input that is still running (its outcome is then dropped); ^D on an empty
 * line logs out; ^L redraws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManholeFactory, ManholeSession, SecretChecker } from "@skein/skein/manhole";
 * import { IPv4Address } from "@skein/skein/reactor";
 * import { MemoryReactorClock, StringTransport } from "@skein/skein/testing";
 *
 * const factory = new ManholeFactory({
 *   reactor: new MemoryReactorClock(),
 *   checker: new SecretChecker("token"),
 * });
 * const session = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1))!;
 * assert.ok(session instanceof ManholeSession);
 * const transport = new StringTransport();
 * session.makeConnection(transport);
 * assert.match(transport.valueString(), /Password: /);
 * session.transport!.loseConnection();
 * ```
 */
export class ManholeSession extends Telnet {
  /** The factory that built it. */
  declare factory: ManholeFactory | null;
  /** The window size the client reported (80x24 until it does). */
  windowSize: [number, number] = [80, 24];
  /** The input being evaluated, or null. */
  evaluating: Promise<void> | null = null;

  #editor: LineEditor = new LineEditor({ write: (text) => this.#output(text), prompt: ">>> " });
  #decoder = new TextDecoder();
  #loggedIn = false;
  #attempts = 0;
  #peer = "";
  #retry: IDelayedCall | null = null;
  #pending = "";
  #overflowed = false;
  #generation = 0;
  #deferreds = new WeakMap<Deferred<unknown>, number>();
  #deferredCount = 0;

  /** Refuse a locked-out peer; else negotiate the options and ask for the password. */
  override connectionMade(): void {
    const factory = this.factory!;
    factory.sessions.add(this);
    this.#peer = peerName(this.transport!.getPeer());
    const lockedFor = factory.limiter.lockedFor(this.#peer);
    if (lockedFor > 0) {
      log.warn("refused a manhole connection from {peer}: locked out for {seconds} s", {
        peer: this.#peer,
        seconds: Math.ceil(lockedFor),
      });
      this.write(`Too many failed logins; try again in ${Math.ceil(lockedFor)} s.\r\n`);
      this.transport!.loseConnection();
      return;
    }
    const ignore = (): null => null;
    this.will(ECHO).addErrback(ignore);
    this.will(SGA).addErrback(ignore);
    this.do(SGA).addErrback(ignore);
    this.do(NAWS).addErrback(ignore);
    this.#editor.onLine = (line) => this.#loggedIn ? this.#input(line) : this.#login(line);
    this.#editor.onInterrupt = () => this.#interrupt();
    this.#editor.onEndOfInput = () => this.transport?.loseConnection();
    this.#editor.onOverflow = () => {
      this.#overflowed = true;
      this.protocolError(
        this.#loggedIn
          ? `an input longer than ${this.#editor.maxLength} characters`
          : `a password longer than ${this.#editor.maxLength} characters`,
      );
    };
    this.write("Skein manhole\r\n");
    this.#askPassword();
  }

  /** This end performs ECHO and SGA. */
  override enableLocal(option: number): boolean {
    return option === ECHO || option === SGA;
  }

  /** The client may send its window size (NAWS) and suppress go-ahead (SGA). */
  override enableRemote(option: number): boolean {
    return option === NAWS || option === SGA;
  }

  /** Keep the client's window size: long lines wrap at its width, values are laid out to it. */
  override windowSizeChanged(width: number, height: number): void {
    this.windowSize = [width, height];
    // A client may report 0 for "unknown": keep the last width then.
    if (width > 0) this.#editor.width = width;
  }

  /** Keys typed (UTF-8, decoded across chunks) go to the line editor. */
  override applicationDataReceived(data: Uint8Array): void {
    if (this.#overflowed) return; // closing: the rest of the chunk is not input
    this.#editor.feed(this.#decoder.decode(data, { stream: true }));
  }

  /** Forget the session; a pending retry is cancelled, an evaluation's outcome dropped. */
  override connectionLost(reason: Failure): void {
    this.factory?.sessions.delete(this);
    if (this.#retry?.active()) this.#retry.cancel();
    this.#retry = null;
    this.#generation++;
    super.connectionLost(reason);
  }

  #output(text: string): void {
    if (this.transport !== null && this.connected) this.write(text);
  }

  #askPassword(): void {
    this.#editor.maxLength = MAX_PASSWORD;
    this.#editor.showPrompt("Password: ", { echo: false, history: false });
  }

  #login(attempt: string): void {
    const factory = this.factory!;
    if (factory.checker.check(attempt)) {
      factory.limiter.recordSuccess(this.#peer);
      this.#loggedIn = true;
      this.#editor.maxLength = MAX_INPUT;
      log.info("manhole login from {peer}", { peer: this.#peer });
      const names = Object.keys(factory.evaluator.namespace).join(", ");
      this.write(
        `Logged in. Names: ${names}.\r\nstatus() shows the reactor at a glance; ^D logs out.\r\n`,
      );
      this.#editor.showPrompt(">>> ");
      return;
    }
    this.#attempts++;
    const failures = factory.limiter.recordFailure(this.#peer);
    const lockedFor = factory.limiter.lockedFor(this.#peer);
    log.warn(
      "refused a manhole login from {peer}: wrong password or token ({failures} recent failures)",
      { peer: this.#peer, failures },
    );
    this.write("Login incorrect.\r\n");
    if (lockedFor > 0 || this.#attempts >= factory.attemptsPerConnection) {
      if (lockedFor > 0) {
        log.warn("locked out {peer} from the manhole for {seconds} s", {
          peer: this.#peer,
          seconds: Math.ceil(lockedFor),
        });
      }
      this.write("Too many failed logins.\r\n");
      this.transport!.loseConnection();
      return;
    }
    this.#retry = factory.reactor.callLater(factory.failureDelay, () => {
      this.#retry = null;
      this.#askPassword();
    });
  }

  #input(line: string): void {
    const source = this.#pending === "" ? line : `${this.#pending}\n${line}`;
    if (source.trim() === "") {
      this.#pending = "";
      this.#editor.showPrompt(">>> ");
      return;
    }
    if (isIncomplete(source)) {
      this.#pending = source;
      this.#editor.showPrompt("... ");
      return;
    }
    this.#pending = "";
    const generation = ++this.#generation;
    const run = this.factory!.evaluator.evaluate(source).then(
      (result) => {
        if (generation !== this.#generation) return;
        if (result.value instanceof Deferred) this.#editor.printAbove(this.#watch(result.value));
        else if (result.value !== undefined) this.#editor.printAbove(this.#show(result.value));
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.#editor.printAbove(`Uncaught ${describeError(error)}`);
      },
    ).finally(() => {
      if (this.evaluating === run) this.evaluating = null;
      if (generation === this.#generation) this.#editor.showPrompt(">>> ");
    });
    this.evaluating = run;
  }

  #interrupt(): void {
    if (!this.#loggedIn) {
      this.#askPassword();
      return;
    }
    this.#pending = "";
    if (this.evaluating !== null) {
      this.#generation++;
      this.evaluating = null;
      this.#editor.printAbove("Interrupted: the input goes on running; its outcome is dropped.");
    }
    this.#editor.showPrompt(">>> ");
  }

  #show(value: unknown): string {
    return inspect(value, { colors: false, depth: 2, breakLength: this.windowSize[0] });
  }

  // Twisted's manhole: a Deferred that has fired shows as its repr; a pending
  // one is numbered once, shown as `<Deferred #n>`, and its outcome is shown
  // above the prompt when it fires (then it is forgotten), passed on unchanged.
  #watch(d: Deferred<unknown>): string {
    if (d.called) return String(d);
    let n = this.#deferreds.get(d);
    if (n === undefined) {
      n = ++this.#deferredCount;
      this.#deferreds.set(d, n);
      const k = n;
      const announce = (text: string): void => {
        this.#deferreds.delete(d);
        if (this.connected && this.transport !== null) this.#editor.printAbove(text);
      };
      d.addCallbacks(
        (result: unknown) => {
          announce(`Deferred #${k} called back: ${this.#show(result)}`);
          return result;
        },
        (failure: Failure) => {
          announce(`Deferred #${k} failed: ${this.#show(failure.getErrorMessage())}`);
          return failure;
        },
      );
    }
    return `<Deferred #${n}>`;
  }
}

function peerName(address: IAddress): string {
  const a = address as { host?: unknown; name?: unknown; };
  if (typeof a.host === "string") return a.host;
  return typeof a.name === "string" && a.name !== "" ? `unix:${a.name}` : "unix";
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return inspect(error, { colors: false, depth: 1 });
}
