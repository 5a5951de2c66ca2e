import type { UserConfig } from "vitest/config";

/** The shared vitest config; `overrides` are merged into `test`. */
export function sharedConfig(overrides?: UserConfig["test"]): UserConfig;
