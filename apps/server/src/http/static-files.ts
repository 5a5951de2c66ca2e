/**
 * The built dashboard (apps/web/dist), loaded into memory once at start: files by path with their
 * content type; hashed assets are cached for a year, everything else revalidated. A path with no
 * file that a browser asks as a page gets index.html (the app's router takes it from there).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

export interface StaticFile {
  body: Buffer;
  type: string;
  cacheControl: string;
}

export interface WebApp {
  /** The file at a URL path, if the build has it. */
  file(path: string): StaticFile | undefined;
  index: StaticFile;
  files: number;
}

/** Where the dashboard's build is by default: apps/web/dist beside this package. */
export function defaultWebDir(): string {
  // src/http/ and dist/http/ are both two levels below apps/server.
  return new URL("../../../web/dist", import.meta.url).pathname;
}

/** The build in `dir`, or null when there is none (the server then shows its front page). */
export function loadWebApp(dir: string): WebApp | null {
  if (!existsSync(join(dir, "index.html"))) return null;
  const files = new Map<string, StaticFile>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const path = `/${relative(dir, full).split(sep).join("/")}`;
        files.set(path, {
          body: readFileSync(full),
          type: TYPES[extname(name)] ?? "application/octet-stream",
          cacheControl: path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
        });
      }
    }
  };
  walk(dir);
  const index = files.get("/index.html") as StaticFile;
  return { file: (path) => files.get(path), index, files: files.size };
}

/** A browser navigation (not a script's request): it accepts HTML and the path names no file. */
export function wantsPage(path: string, accept: string): boolean {
  return accept.includes("text/html") && extname(path) === "";
}
