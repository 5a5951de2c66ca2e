import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/sql/schema.sqlite.ts",
  out: "./migrations/sqlite",
});
