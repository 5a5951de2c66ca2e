/**
 * Every Storage engine the shared suites run against. The libSQL and Postgres adapters join this
 * list when they exist; no suite may skip an engine.
 */
import type { Storage } from "@xenblocks/core";
import { createMemoryStorage } from "../src/index.js";

export interface Engine {
  name: string;
  create(): Promise<Storage>;
}

export const engines: Engine[] = [{ name: "memory", create: async () => createMemoryStorage() }];
