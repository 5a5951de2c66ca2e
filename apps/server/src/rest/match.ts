/** Path matching for the route table: `/api/workers/{id}/pricing` against a request path. */
import type { RestRoute } from "./route.js";

interface Compiled {
  route: RestRoute;
  /** A literal segment, or `{name}` as `{ param: name }`. */
  segments: Array<string | { param: string }>;
  params: number;
}

export type Match =
  | { kind: "route"; route: RestRoute; params: Record<string, string> }
  | { kind: "method"; allowed: string[] }
  | { kind: "none" }
  | { kind: "bad-path" };

const split = (path: string) => path.split("/").filter((s) => s.length > 0);

export function compileRoutes(routes: readonly RestRoute[]): Compiled[] {
  return routes
    .map((route) => {
      const segments = split(route.path).map((s) => {
        const m = /^\{(.+)\}$/.exec(s);
        return m ? { param: m[1] as string } : s;
      });
      return { route, segments, params: segments.filter((s) => typeof s !== "string").length };
    })
    .sort((a, b) => a.params - b.params); // literal segments win over parameters
}

function matchPath(c: Compiled, parts: string[]): Record<string, string> | null {
  if (c.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = c.segments[i] as string | { param: string };
    const part = parts[i] as string;
    if (typeof seg === "string") {
      if (seg !== part) return null;
    } else {
      params[seg.param] = part;
    }
  }
  return params;
}

export function matchRoute(table: readonly Compiled[], method: string, path: string): Match {
  const parts = split(path);
  const allowed: string[] = [];
  for (const c of table) {
    const raw = matchPath(c, parts);
    if (!raw) continue;
    if (c.route.method !== method) {
      allowed.push(c.route.method);
      continue;
    }
    try {
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeURIComponent(v)]));
      return { kind: "route", route: c.route, params };
    } catch {
      return { kind: "bad-path" };
    }
  }
  return allowed.length > 0 ? { kind: "method", allowed } : { kind: "none" };
}
