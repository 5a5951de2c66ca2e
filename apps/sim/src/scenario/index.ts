/** CI scenarios: a simulated fleet against the platform, renters driving it, invariants checked at the end. */
export { checkInvariants, type InvariantReport } from "./invariants.js";
export {
  type LibraryPlatform,
  type LibraryPlatformOptions,
  SCENARIO_ADMIN,
  startLibraryPlatform,
} from "./platform-host.js";
export { type RenterStats, Renters } from "./renters.js";
export { runScenario, type ScenarioOptions, type ScenarioReport } from "./runner.js";
export {
  PLANS,
  SCENARIO_DESCRIPTIONS,
  SCENARIO_NAMES,
  type ScenarioName,
  type ScenarioPlan,
} from "./scenarios.js";
