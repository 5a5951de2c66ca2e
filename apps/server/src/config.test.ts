import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const r = loadConfig([], {});
    expect(r).toMatchObject({
      kind: "config",
      config: {
        httpPort: 8080,
        mqttPort: 1883,
        db: "./data/xenblocks.db",
        chain: "embedded",
        faucet: false,
        admins: [],
      },
    });
  });

  it("takes flags after pnpm's literal --, repeatable admins, and flags over environment", () => {
    const admin = "0x1111111111111111111111111111111111111111";
    const r = loadConfig(
      ["--", "--http-port", "9000", "--admin", admin, "--admin", admin.replace("1", "2"), "--faucet"],
      {
        XENBLOCKS_HTTP_PORT: "7000",
        XENBLOCKS_MQTT_PORT: "1999",
      },
    );
    expect(r).toMatchObject({ kind: "config", config: { httpPort: 9000, mqttPort: 1999, faucet: true } });
    expect(r.kind === "config" && r.config.admins).toHaveLength(2);
  });

  it("reads DATABASE_URL when no --db is given", () => {
    const r = loadConfig([], { DATABASE_URL: "postgres://u@h/db" });
    expect(r).toMatchObject({ kind: "config", config: { db: "postgres://u@h/db" } });
  });

  it.each([
    [["--http-port", "70000"], /httpPort/],
    [["--admin", "0x123"], /admin must be 0x \+ 40 hex/],
    [["--chain", "sometimes"], /chain/],
    [["--jwt-secret", "short"], /at least 32 characters/],
    [["--nope"], /Unknown option '--nope'/],
    [["stray"], /positional/i],
  ])("refuses %j with a clear message", (argv, message) => {
    const r = loadConfig(argv, {});
    expect(r.kind).toBe("error");
    expect(r.kind === "error" && r.message).toMatch(message);
  });

  it("asks for help", () => {
    expect(loadConfig(["--help"], {})).toEqual({ kind: "help" });
  });
});
