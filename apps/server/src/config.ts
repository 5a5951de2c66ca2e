/**
 * The server's settings: command-line flags over environment variables over defaults, parsed once with
 * zod. Nothing else in the server reads `process.env` or `process.argv`.
 */
import { parseArgs } from "node:util";
import { z } from "zod";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const port = z.coerce.number().int().min(0).max(65_535);

export const configSchema = z.object({
  httpPort: port.default(8080),
  mqttPort: port.default(1883),
  /** Interface for both listeners. */
  host: z.string().min(1).default("0.0.0.0"),
  /** A libSQL file path or `file:`/`libsql:` URL, `postgres://…`, or `memory`. */
  db: z.string().min(1).default("./data/xenblocks.db"),
  /** An external MQTT broker instead of the embedded one. */
  mqttUrl: z.string().url().optional(),
  /** Shared-subscription group with an external broker. */
  mqttGroup: z.string().min(1).default("xenblocks"),
  admins: z.array(z.string().regex(ADDRESS, "an admin must be 0x + 40 hex")).default([]),
  faucet: z.boolean().default(false),
  /** Where users reach the server: the SIWE domain and URI. */
  publicUrl: z.string().url().optional(),
  /** `embedded` (the chain simulator on the HTTP port), `none`, or the URL of a chain RPC. */
  chain: z.union([z.enum(["embedded", "none"]), z.string().url()]).default("embedded"),
  /** The embedded chain simulator's state file; default beside a libSQL database, memory otherwise. */
  chainData: z.string().optional(),
  jwtSecret: z.string().min(32, "the JWT secret must be at least 32 characters").optional(),
  /** Block marker for test fleets (platform-rules §6); never change it in production. */
  blockMarker: z.string().min(1).max(16).default("XEN11"),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** The dashboard's build to serve; default apps/web/dist of this checkout. */
  webDir: z.string().min(1).optional(),
  /** Origins whose pages may call the API from another origin (CORS); none by default. */
  corsOrigins: z.array(z.string().url()).default([]),
});

export type ServerConfig = z.output<typeof configSchema>;

export const HELP = `xenblocks-server — the XenBlocks platform in one process

Usage: pnpm start -- [flags]

  --http-port N        HTTP port (API, chain simulator, health, metrics)      [8080]
  --mqtt-port N        embedded MQTT broker port (workers connect here)       [1883]
  --host ADDR          interface to listen on                                 [0.0.0.0]
  --db DB              ./path.db | file:… | libsql:… | postgres://… | memory  [./data/xenblocks.db]
  --mqtt-url URL       use this external MQTT broker instead of the embedded one
  --mqtt-group NAME    shared-subscription group on the external broker      [xenblocks]
  --admin ADDRESS      an admin address (repeatable)
  --faucet             enable the test faucet
  --public-url URL     where users reach the server (the sign-in domain and URI)
  --chain C            embedded | none | URL of a chain RPC                   [embedded]
  --chain-data FILE    the embedded chain's state file
  --jwt-secret S       session signing secret (32+ chars); default generated once, kept in the db
  --block-marker M     block marker of a test fleet                           [XEN11]
  --log-level L        debug | info | warn | error                            [info]
  --web-dir DIR        the dashboard build to serve                           [apps/web/dist]
  --cors-origin URL    let pages on this origin call the API (repeatable)
  --help               this text

Environment: XENBLOCKS_HTTP_PORT, XENBLOCKS_MQTT_PORT, XENBLOCKS_HOST, XENBLOCKS_DB (or DATABASE_URL),
XENBLOCKS_MQTT_URL, XENBLOCKS_MQTT_GROUP, XENBLOCKS_ADMINS (comma-separated), XENBLOCKS_FAUCET=1,
XENBLOCKS_PUBLIC_URL, XENBLOCKS_CHAIN, XENBLOCKS_CHAIN_DATA, XENBLOCKS_JWT_SECRET,
XENBLOCKS_BLOCK_MARKER, XENBLOCKS_LOG_LEVEL, XENBLOCKS_WEB_DIR, XENBLOCKS_CORS_ORIGINS (comma-separated).
Flags win; an empty variable counts as unset.
`;

export type ConfigResult =
  | { kind: "config"; config: ServerConfig }
  | { kind: "help" }
  | { kind: "error"; message: string };

/** Parses flags (after a literal `--` from pnpm, if any) and environment into a checked config. */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ConfigResult {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv[0] === "--" ? argv.slice(1) : [...argv]);
  } catch (e) {
    return { kind: "error", message: e instanceof Error ? e.message : String(e) };
  }
  const f = parsed.values;
  if (f.help) return { kind: "help" };
  const pick = <T>(flag: T | undefined, variable: string | undefined) =>
    flag !== undefined ? flag : variable;
  const raw = {
    httpPort: pick(f["http-port"], env.XENBLOCKS_HTTP_PORT),
    mqttPort: pick(f["mqtt-port"], env.XENBLOCKS_MQTT_PORT),
    host: pick(f.host, env.XENBLOCKS_HOST),
    db: pick(f.db, env.XENBLOCKS_DB ?? env.DATABASE_URL),
    mqttUrl: pick(f["mqtt-url"], env.XENBLOCKS_MQTT_URL),
    mqttGroup: pick(f["mqtt-group"], env.XENBLOCKS_MQTT_GROUP),
    admins:
      f.admin ??
      env.XENBLOCKS_ADMINS?.split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    faucet:
      f.faucet ??
      (env.XENBLOCKS_FAUCET === undefined ? undefined : ["1", "true", "yes"].includes(env.XENBLOCKS_FAUCET)),
    publicUrl: pick(f["public-url"], env.XENBLOCKS_PUBLIC_URL),
    chain: pick(f.chain, env.XENBLOCKS_CHAIN),
    chainData: pick(f["chain-data"], env.XENBLOCKS_CHAIN_DATA),
    jwtSecret: pick(f["jwt-secret"], env.XENBLOCKS_JWT_SECRET),
    blockMarker: pick(f["block-marker"], env.XENBLOCKS_BLOCK_MARKER),
    logLevel: pick(f["log-level"], env.XENBLOCKS_LOG_LEVEL),
    webDir: pick(f["web-dir"], env.XENBLOCKS_WEB_DIR),
    corsOrigins:
      f["cors-origin"] ??
      env.XENBLOCKS_CORS_ORIGINS?.split(",")
        .map((a) => a.trim())
        .filter(Boolean),
  };
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${String(issue.path[0])}: ` : "";
    return { kind: "error", message: `${where}${issue?.message ?? "invalid configuration"}` };
  }
  return { kind: "config", config: result.data };
}

function parseFlags(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      "http-port": { type: "string" },
      "mqtt-port": { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      "mqtt-url": { type: "string" },
      "mqtt-group": { type: "string" },
      admin: { type: "string", multiple: true },
      faucet: { type: "boolean" },
      "public-url": { type: "string" },
      chain: { type: "string" },
      "web-dir": { type: "string" },
      "cors-origin": { type: "string", multiple: true },
      "chain-data": { type: "string" },
      "jwt-secret": { type: "string" },
      "block-marker": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
