// A Worker for reactor_test.ts: answers each message with "wake" after the
// number of milliseconds it was sent.
self.onmessage = (e: MessageEvent<number>): void => {
  setTimeout(() => self.postMessage("wake"), e.data);
};
