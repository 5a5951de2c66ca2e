import { sharedConfig } from "@xenblocks/vitest-config";

export default sharedConfig({ globalSetup: ["test/global-setup.ts"] });
