/** The empty state of a page whose content arrives in the next slice; signed-out pages ask for a wallet. */
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { useSession } from "../app/context.js";
import { IconWallet } from "./icons.js";
import { Card, EmptyState, PageHeader } from "./ui.js";

export function ComingNext({
  title,
  description,
  icon,
  needsWallet = false,
  features,
}: {
  title: string;
  description: string;
  icon: ReactNode;
  needsWallet?: boolean;
  features: string[];
}) {
  const session = useSession();
  const locked = needsWallet && !session;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={title} description={description} />
      <Card>
        {locked ? (
          <EmptyState title="Connect your wallet" icon={<IconWallet size={28} />}>
            This page shows your own {title.toLowerCase()} data. Use “Connect wallet” at the top right to sign
            in with your Ethereum wallet; nothing is stored beyond this browser tab.
          </EmptyState>
        ) : (
          <EmptyState
            title={`${title} is coming next`}
            icon={icon}
            action={
              <Link to="/monitoring" className="text-xs font-medium text-accent hover:underline">
                Watch the fleet on Monitoring meanwhile
              </Link>
            }
          >
            <p>This page is being built. It will offer:</p>
            <ul className="mt-2 list-inside list-disc text-left">
              {features.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          </EmptyState>
        )}
      </Card>
    </div>
  );
}
