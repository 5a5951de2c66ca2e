import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/sql/schema.pg.ts",
  out: "./migrations/pg",
});
