"""Drive a Telnet server with Python's own telnetlib client (not Skein code).

Usage: python3 _telnetlib_driver.py HOST PORT STEPS_JSON

Each step is {"send": text} and/or {"expect": regex} (searched in what the
server sent since the last match, within "timeout" seconds, default 10), or
{"eof": true} (the server must close the connection). Prints one JSON object:
{"ok": true, "seen": [text matched per step]} or {"ok": false, "step": i,
"error": why, "seen": [...], "tail": what arrived unmatched}.
"""
import json
import re
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import telnetlib  # noqa: E402  (Python 3.11 still ships it)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    steps = json.loads(sys.argv[3])
    seen = []
    conn = telnetlib.Telnet(host, port, timeout=10)
    for i, step in enumerate(steps):
        timeout = step.get("timeout", 10)
        if "send" in step:
            conn.write(step["send"].encode("utf-8"))
        if "expect" in step:
            index, match, text = conn.expect([re.compile(step["expect"].encode("utf-8"))], timeout)
            if index < 0:
                result = {"ok": False, "step": i, "error": "timed out waiting for " + step["expect"],
                          "seen": seen, "tail": text.decode("utf-8", "replace")}
                print(json.dumps(result))
                return
            seen.append(text.decode("utf-8", "replace"))
        if step.get("eof"):
            try:
                rest = conn.read_all()
            except TimeoutError:
                print(json.dumps({"ok": False, "step": i, "error": "the server did not close",
                                  "seen": seen, "tail": ""}))
                return
            except (EOFError, ConnectionError):
                rest = b""
            seen.append(rest.decode("utf-8", "replace"))
    print(json.dumps({"ok": True, "seen": seen}))


main()
