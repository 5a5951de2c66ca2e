/**
 * The OpenAPI 3.1 document of the REST routes, generated from the route table the handler serves
 * (paths, methods, auth, parameters and bodies from the same zod schemas), so it cannot drift.
 */
import { z } from "zod";
import { type RestRoute, route } from "./route.js";

type JsonSchema = { properties?: Record<string, Record<string, unknown>>; required?: string[] };

const schemaOf = (s: z.ZodType): JsonSchema & Record<string, unknown> => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest as JsonSchema & Record<string, unknown>;
};

const STATUS_WORDS: Record<number, string> = {
  302: "Redirect",
  400: "Refused by a rule (bad pricing, duration, amount…)",
  401: "No valid X-API-Key or Bearer token",
  402: "Insufficient balance",
  403: "Not allowed for this caller",
  404: "Not found",
  409: "Conflict with the worker's or lease's state",
  410: "Removed",
  422: "Invalid input",
  429: "Limit reached",
};

const ERROR_REF = { $ref: "#/components/schemas/Error" };

function parametersOf(r: RestRoute) {
  const params: Array<Record<string, unknown>> = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string", minLength: 1, maxLength: 128 },
  }));
  if (r.query) {
    const s = schemaOf(r.query);
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      const { description, ...schema } = prop;
      params.push({
        name,
        in: "query",
        required: s.required?.includes(name) ?? false,
        schema,
        ...(typeof description === "string" && { description }),
      });
    }
  }
  return params;
}

function operationOf(r: RestRoute) {
  const errors = new Set<number>([...(r.errors ?? [])]);
  if (r.auth !== "public") errors.add(401);
  if (r.auth === "admin") errors.add(403);
  if (r.query || r.body) errors.add(422);
  const responses: Record<string, unknown> = {};
  if (!errors.has(302) && r.only === undefined) {
    responses["200"] = { description: r.returns, content: { "application/json": {} } };
  }
  for (const status of [...errors].sort()) {
    responses[String(status)] = {
      description: STATUS_WORDS[status] ?? r.returns,
      ...(status !== 302 && { content: { "application/json": { schema: ERROR_REF } } }),
    };
  }
  return {
    operationId: `${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? "").toUpperCase())}`,
    tags: [r.tag],
    summary: r.summary,
    description: `Returns ${r.returns}.${r.access ? ` Access: ${r.access}.` : ""}`,
    "x-auth": r.auth,
    ...(r.access && { "x-access": r.access }),
    parameters: parametersOf(r),
    ...(r.body && {
      requestBody: { required: true, content: { "application/json": { schema: schemaOf(r.body) } } },
    }),
    responses,
    security: r.auth === "public" ? [] : [{ apiKey: [] }, { bearer: [] }],
  };
}

/** `GET /`, served beside the route table (the dashboard answers it for browsers). */
const ROOT_PATH = {
  get: {
    operationId: "getRoot",
    tags: ["meta"],
    summary: "What this server is",
    description:
      'Returns {service, version, mqtt_port, api_port, connected_workers, uptime: "running", uptime_sec}; ' +
      "the dashboard's HTML instead when Accept has text/html.",
    "x-auth": "public",
    parameters: [],
    responses: {
      "200": {
        description: "{service, version, mqtt_port, api_port, connected_workers, uptime, uptime_sec}",
        content: { "application/json": {}, "text/html": {} },
      },
    },
    security: [],
  },
};

export function openApiDocument(routes: readonly RestRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = { "/": ROOT_PATH };
  for (const r of routes) {
    const item = paths[r.path] ?? {};
    item[r.method.toLowerCase()] = operationOf(r);
    paths[r.path] = item;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "XenBlocks platform — REST compatibility API",
      version,
      description:
        "The earlier platform's routes (snake_case, float epoch seconds, money as decimal strings). " +
        "New clients use the tRPC API at /trpc.",
    },
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      },
      schemas: {
        Error: {
          type: "object",
          properties: { detail: { type: "string" }, code: { type: "string" } },
          required: ["detail"],
        },
      },
    },
    paths,
  };
}

/** `GET /api/openapi.json`, over the table it is part of. */
export function openApiRoute(table: () => readonly RestRoute[]): RestRoute {
  return route({
    method: "GET",
    path: "/api/openapi.json",
    auth: "public",
    tag: "meta",
    summary: "This document",
    returns: "the OpenAPI 3.1 document of every REST route",
    async run({ ctx }) {
      return openApiDocument(table(), ctx.info.version);
    },
  });
}
