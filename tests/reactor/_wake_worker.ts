// A Worker for reactor_test.ts: answers each message with "wake" after the
// number of milliseconds it was sent.
const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<number>) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = (e: MessageEvent<number>): void => {
  setTimeout(() => scope.postMessage("wake"), e.data);
};
