import { describe, expect, it } from "vitest";
import { SCENARIO_NAMES } from "../scenario/index.js";
import { CHAIN_HELP } from "./chain-command.js";
import { FLEET_HELP } from "./fleet-command.js";
import { MAIN_HELP } from "./run-cli.js";
import { runToEnd } from "./testing/cli-harness.js";

describe("help", () => {
  it("prints the global help for --help, -h and help, also after pnpm's literal --", async () => {
    for (const argv of [["--help"], ["-h"], ["help"], ["--", "--help"]]) {
      const { code, out, err } = await runToEnd(argv);
      expect(code).toBe(0);
      expect(out).toBe(`${MAIN_HELP}\n`);
      expect(err).toBe("");
    }
    expect(MAIN_HELP).toMatch(/fleet[\s\S]*chain[\s\S]*scenario/);
  });

  it("prints a command's help for <command> --help and help <command>", async () => {
    for (const [name, text] of [
      ["fleet", FLEET_HELP],
      ["chain", CHAIN_HELP],
    ] as const) {
      expect(await runToEnd([name, "--help"])).toEqual({ code: 0, out: `${text}\n`, err: "" });
      expect(await runToEnd(["--", "help", name])).toEqual({ code: 0, out: `${text}\n`, err: "" });
    }
    expect(FLEET_HELP).toMatch(
      /--workers N[\s\S]*--mqtt URL[\s\S]*--owner ADDR[\s\S]*--heartbeat-sec[\s\S]*--block-marker/,
    );
    expect(CHAIN_HELP).toMatch(/--port P[\s\S]*--verify-argon2/);
  });

  it("lists every scenario in the scenario help", async () => {
    const { code, out } = await runToEnd(["scenario", "--help"]);
    expect(code).toBe(0);
    for (const name of SCENARIO_NAMES) expect(out).toContain(`  ${name} `);
    expect(out).toContain("--platform");
  });

  it("without a command prints the help to stderr and exits 2", async () => {
    const { code, out, err } = await runToEnd([]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain("Usage: pnpm sim -- <command>");
  });
});

describe("bad command lines exit 2 with a message pointing to the help", () => {
  const cases: ReadonlyArray<readonly [readonly string[], RegExp]> = [
    [["launch"], /unknown command "launch": choose fleet, chain, scenario/],
    [["help", "launch"], /unknown command "launch"/],
    [["fleet", "--bogus"], /Unknown option '--bogus'[\s\S]*pnpm sim -- fleet --help/],
    [["fleet", "--mqtt", "mqtt://127.0.0.1:1883"], /fleet needs --workers/],
    [["fleet", "--workers", "3"], /fleet needs --mqtt/],
    [
      ["fleet", "--workers", "0", "--mqtt", "mqtt://h"],
      /--workers must be a whole number from 1 to 100000, got "0"/,
    ],
    [["fleet", "--workers", "2.5", "--mqtt", "mqtt://h"], /--workers must be a whole number/],
    [
      ["fleet", "--workers", "3", "--mqtt", "http://h:1883"],
      /--mqtt must be a mqtt\/mqtts\/tcp\/tls\/ws\/wss URL/,
    ],
    [["fleet", "--workers", "3", "--mqtt", "127.0.0.1:1883"], /--mqtt must be/],
    [
      ["fleet", "--workers", "3", "--mqtt", "mqtt://h", "--owner", "0x1234"],
      /--owner must be 0x followed by 40 hex/,
    ],
    [
      ["fleet", "--workers", "3", "--mqtt", "mqtt://h", "--block-marker", "X-N"],
      /--block-marker must be 1 to 16/,
    ],
    [
      ["fleet", "--workers", "3", "--mqtt", "mqtt://h", "--heartbeat-sec", "0"],
      /--heartbeat-sec must be a number greater than 0/,
    ],
    [
      ["fleet", "--workers", "3", "--mqtt", "mqtt://h", "--difficulty", "4"],
      /--difficulty must be a whole number from 8/,
    ],
    [
      ["fleet", "--workers", "3", "--mqtt", "mqtt://h", "--churn", "1.5"],
      /--churn must be a number from 0 up to 1/,
    ],
    [
      ["fleet", "--workers", "3", "--mqtt", "mqtt://h", "--chain", "ftp://h"],
      /--chain must be a http\/https URL/,
    ],
    [["fleet", "--workers", "3", "--mqtt", "mqtt://h", "--genuine", "--synthetic"], /exclude each other/],
    [["fleet", "--workers", "3", "--mqtt", "mqtt://h", "extra"], /Unexpected argument 'extra'/],
    [
      ["chain", "--port", "70000"],
      /--port must be a whole number from 0 to 65535[\s\S]*pnpm sim -- chain --help/,
    ],
    [["chain", "--memory", "--data", "x.json"], /--data and --memory exclude each other/],
    [["chain", "--marker", ""], /--marker must be 1 to 16/],
    [["scenario"], /scenario needs a NAME: steady/],
    [["scenario", "sunny"], /unknown scenario "sunny"/],
    [["scenario", "steady", "churn"], /one NAME/],
    [["scenario", "steady", "--workers=-1"], /--workers must be a whole number/],
    [["scenario", "steady", "--platform", "http://127.0.0.1:8080"], /comes with the server issue/],
    [["scenario", "steady", "--platform", "remote"], /--platform must be "embedded" or an http\(s\) URL/],
  ];
  it.each(cases)("%j", async (argv, message) => {
    const { code, out, err } = await runToEnd(argv);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/^error: /);
    expect(err).toMatch(message);
    expect(err).toMatch(/See "pnpm sim -- (\w+ )?--help"\./);
  });
});
