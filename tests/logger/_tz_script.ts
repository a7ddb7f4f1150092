/**
 * Prints classic text lines for fixed times, for format_test's time-zone
 * cases: the parent runs it with TZ set, since a runtime reads TZ at start.
 */
import { formatTime, textFileLogObserver } from "../../logger/mod.ts";

const out: string[] = [];
const observer = textFileLogObserver({ write: (t) => out.push(t) }, "%Y-%m-%d %H:%M:%S%z");
observer.observe({ "log_format": "hello world", "log_time": 0 });
observer.observe({ "log_format": "a\nb", "log_system": "HTTP", "log_time": 86399 });
out.push(formatTime(1234567890.5) + "\n");
console.log(out.join(""));
