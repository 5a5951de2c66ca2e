/** The header (ui.md §1): page title, global search, notifications, wallet. */
import { IconMenu } from "../components/icons.js";
import { GlobalSearch } from "./GlobalSearch.js";
import { NotificationBell } from "./NotificationBell.js";
import { WalletButton } from "./WalletButton.js";

export function Header({
  title,
  showMenu,
  onMenu,
}: {
  title: string;
  showMenu: boolean;
  onMenu: () => void;
}) {
  return (
    <header className="sticky top-0 z-30 flex h-(--height-header) shrink-0 items-center gap-3 border-b border-line bg-canvas/90 px-4 backdrop-blur md:px-6">
      {showMenu && (
        <button
          type="button"
          onClick={onMenu}
          aria-label="Open navigation"
          className="inline-flex h-9 w-9 items-center justify-center rounded-md text-fg-2 hover:bg-hover hover:text-fg"
        >
          <IconMenu size={18} />
        </button>
      )}
      <div className="min-w-0 shrink-0 text-base font-semibold text-fg" data-testid="page-title">
        {title}
      </div>
      <div className="flex min-w-0 flex-1 justify-center px-2">
        <GlobalSearch />
      </div>
      <div className="flex shrink-0 items-center gap-2">
        <NotificationBell />
        <WalletButton />
      </div>
    </header>
  );
}
