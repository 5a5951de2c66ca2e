/** Line icons only the Account page uses (same 24 × 24 stroke style as components/icons.tsx). */
import { icon } from "../../components/icons.js";

export { IconCoins, IconWallet } from "../../components/icons.js";

export const IconClock = icon(["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 6v6l4 2"], "IconClock");
