import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ScenarioOptions, ScenarioReport } from "../scenario/index.js";
import { runToEnd, startCli } from "./testing/cli-harness.js";

// The scenarios themselves are tested in ../scenario; here only the command around them.
const runScenario = vi.fn<(name: string, options?: ScenarioOptions) => Promise<ScenarioReport>>();
vi.mock("../scenario/index.js", () => ({
  SCENARIO_NAMES: ["steady", "churn", "lease-storm", "worker-failures", "broker-restart"],
  SCENARIO_DESCRIPTIONS: {
    steady: "a steady fleet",
    churn: "workers come and go",
    "lease-storm": "many leases at once",
    "worker-failures": "workers fail mid lease",
    "broker-restart": "the broker restarts",
  },
  runScenario: (name: string, options?: ScenarioOptions) => runScenario(name, options),
}));

beforeEach(() => {
  runScenario.mockReset();
});

describe("scenario command", () => {
  it("passes the options, shows progress, prints the figures and exits 0 when every invariant held", async () => {
    runScenario.mockImplementation(async (name, options) => {
      options?.onProgress?.("leases 3 open");
      return {
        name: name as "churn",
        ok: true,
        violations: [],
        figures: { leases: 12, "blocks accepted": 40 },
      };
    });
    const { code, out, err } = await runToEnd([
      "--",
      "scenario",
      "churn",
      "--platform",
      "embedded",
      "--workers",
      "50",
      "--seconds",
      "30",
      "--seed",
      "7",
    ]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(runScenario).toHaveBeenCalledWith(
      "churn",
      expect.objectContaining({ workers: 50, seconds: 30, seed: 7 }),
    );
    expect(out).toContain("scenario churn (platform embedded): workers come and go");
    expect(out).toMatch(/^\[0s\] leases 3 open$/m);
    expect(out).toContain("scenario churn: OK, every invariant held");
    expect(out).toMatch(/^ {2}leases {11}12$/m);
    expect(out).toMatch(/^ {2}blocks accepted {2}40$/m);
  });

  it("prints the violations and exits 1 when an invariant was violated", async () => {
    runScenario.mockResolvedValue({
      name: "steady",
      ok: false,
      violations: ["ledger not conserved: sum 3", "lease l1 settled twice"],
      figures: {},
    });
    const { code, out, err } = await runToEnd(["scenario", "steady"]);
    expect(code).toBe(1);
    expect(runScenario).toHaveBeenCalledWith("steady", { onProgress: expect.any(Function) });
    expect(out).toContain("scenario steady: INVARIANTS VIOLATED");
    expect(err).toContain("Violations:\n  - ledger not conserved: sum 3\n  - lease l1 settled twice\n");
  });

  it("refuses a server URL before running anything", async () => {
    const { code, err } = await runToEnd(["scenario", "steady", "--platform", "https://platform.example"]);
    expect(code).toBe(2);
    expect(err).toContain("comes with the server issue");
    expect(runScenario).not.toHaveBeenCalled();
  });

  it("gives up waiting on a stop signal and exits 130", async () => {
    runScenario.mockReturnValue(new Promise(() => {}));
    const run = startCli(["scenario", "lease-storm"]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    run.stop();
    expect(await run.done).toBe(130);
    expect(run.err.text).toContain("interrupted");
  });
});
