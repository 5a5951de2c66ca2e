import { describe, expect, it } from "vitest";
import { createProgress, formatElapsed } from "./progress.js";
import { StringOutput } from "./testing/cli-harness.js";

describe("progress line", () => {
  it("rewrites one line in place on a terminal, padding over a longer previous line", () => {
    const out = new StringOutput(true);
    const progress = createProgress(out);
    progress.update("connected 10");
    progress.update("connected 9");
    progress.finish();
    expect(out.text).toBe("\rconnected 10\rconnected 9 \n");
  });

  it("appends a full line at most every 10 s elsewhere", () => {
    const out = new StringOutput(false);
    let now = 0;
    const progress = createProgress(out, () => now);
    for (now = 0; now <= 25_000; now += 1000) progress.update(`t=${now / 1000}`);
    progress.finish();
    expect(out.text).toBe("t=0\nt=10\nt=20\n");
  });

  it("formats elapsed time", () => {
    expect([999, 61_000, 3_725_000].map(formatElapsed)).toEqual(["0s", "1m01s", "1h02m05s"]);
  });
});
