import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadWebApp, wantsPage } from "./static-files.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the dashboard build", () => {
  it("is absent without an index.html", () => {
    const dir = mkdtempSync(join(tmpdir(), "xb-web-"));
    dirs.push(dir);
    expect(loadWebApp(dir)).toBeNull();
  });

  it("serves files by path with their type; hashed assets are immutable, the rest revalidated", () => {
    const dir = mkdtempSync(join(tmpdir(), "xb-web-"));
    dirs.push(dir);
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><div id=root></div>");
    writeFileSync(join(dir, "assets", "app-1a2b.js"), "console.log(1)");
    const app = loadWebApp(dir);
    expect(app?.files).toBe(2);
    expect(app?.file("/assets/app-1a2b.js")).toMatchObject({
      type: "text/javascript; charset=utf-8",
      cacheControl: "public, max-age=31536000, immutable",
    });
    expect(app?.index.cacheControl).toBe("no-cache");
    expect(app?.file("/missing.js")).toBeUndefined();
  });

  it("takes a browser navigation to an app route as a page, not a script's request", () => {
    expect(wantsPage("/monitoring", "text/html,application/xhtml+xml")).toBe(true);
    expect(wantsPage("/assets/x.js", "text/html")).toBe(false);
    expect(wantsPage("/monitoring", "application/json")).toBe(false);
  });
});
