import { sharedConfig } from "@xenblocks/vitest-config";

/**
 * Unit and component tests (src/**, node environment, rendered with react-dom/server) and the browser
 * tests (test/browser/**: a real server in-process and Debian's Chromium through playwright-core; they
 * need `vite build` first, which turbo runs before `test`).
 */
export default sharedConfig({
  include: ["src/**/*.test.ts", "src/**/*.test.tsx", "test/**/*.test.ts"],
  testTimeout: 120_000,
  hookTimeout: 120_000,
});
