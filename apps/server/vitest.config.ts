import { sharedConfig } from "@xenblocks/vitest-config";

export default sharedConfig();
