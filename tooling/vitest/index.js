// Shared vitest settings for every package. Each package's vitest.config.ts does
// `export default sharedConfig(import.meta.url)`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Workspace packages resolve to their TypeScript sources in tests, so a test never runs stale `dist`. */
const alias = [
  { find: /^@xenblocks\/core$/, replacement: `${root}packages/core/src/index.ts` },
  { find: /^@xenblocks\/core\/testing$/, replacement: `${root}packages/core/src/testing/index.ts` },
  { find: /^@xenblocks\/storage$/, replacement: `${root}packages/storage/src/index.ts` },
  { find: /^@xenblocks\/broker$/, replacement: `${root}packages/broker/src/index.ts` },
];

export function sharedConfig(overrides = {}) {
  return defineConfig({
    resolve: { alias },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      reporters: process.env.CI
        ? ["default", ["json", { outputFile: "test-results/vitest.json" }]]
        : ["default"],
      ...overrides,
    },
  });
}
