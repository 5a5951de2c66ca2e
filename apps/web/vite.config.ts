import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The platform server the dev server forwards the API to (`pnpm start` listens there). */
const API = "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      "/trpc": { target: API, ws: true },
      "/api": API,
      "/healthz": API,
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      treeshake: {
        // @xenblocks/core is pure (ARCHITECTURE.md: no I/O, no globals), but its package does not say
        // so: without this its zod protocol schemas would ride along with the money helpers we use.
        moduleSideEffects: (id: string) => !/[\\/]packages[\\/]core[\\/]/.test(id),
      },
    },
  },
});
