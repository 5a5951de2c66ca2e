/**
 * The Administration panel (ui.md §2 Account, admins only): status with the ledger check on top, then
 * accounts, the withdrawal queue, manual credit, settlements, worker moderation, broadcast, audit log.
 */
import { useState } from "react";
import { Badge } from "../../../components/badges.js";
import { ErrorBoundary } from "../../../components/ErrorBoundary.js";
import { Card } from "../../../components/ui.js";
import { AdminAccounts } from "./AdminAccounts.js";
import { AdminAudit } from "./AdminAudit.js";
import { AdminBroadcast } from "./AdminBroadcast.js";
import { AdminCredit } from "./AdminCredit.js";
import { AdminSettlements } from "./AdminSettlements.js";
import { AdminStatus } from "./AdminStatus.js";
import { AdminWithdrawals } from "./AdminWithdrawals.js";
import { AdminWorkers } from "./AdminWorkers.js";
import { Tabs } from "./Tabs.js";

const TABS = [
  { id: "accounts", label: "Accounts" },
  { id: "withdrawals", label: "Withdrawal queue" },
  { id: "credit", label: "Manual credit" },
  { id: "settlements", label: "Settlements" },
  { id: "workers", label: "Workers" },
  { id: "broadcast", label: "Broadcast" },
  { id: "audit", label: "Audit log" },
] as const;
type TabId = (typeof TABS)[number]["id"];

export default function AdminPanel() {
  const [tab, setTab] = useState<TabId>("accounts");
  const [creditTo, setCreditTo] = useState("");
  return (
    <Card
      id="administration"
      title="Administration"
      actions={<Badge tone="warning">Admin only</Badge>}
      bodyClassName="p-0"
    >
      <ErrorBoundary>
        <AdminStatus />
      </ErrorBoundary>
      <div className="border-t border-line">
        <Tabs label="Administration sections" tabs={TABS} value={tab} onChange={setTab}>
          <ErrorBoundary key={tab}>
            {tab === "accounts" && (
              <AdminAccounts
                onCredit={(address) => {
                  setCreditTo(address);
                  setTab("credit");
                }}
              />
            )}
            {tab === "withdrawals" && <AdminWithdrawals />}
            {tab === "credit" && <AdminCredit address={creditTo} />}
            {tab === "settlements" && <AdminSettlements />}
            {tab === "workers" && <AdminWorkers />}
            {tab === "broadcast" && <AdminBroadcast />}
            {tab === "audit" && <AdminAudit />}
          </ErrorBoundary>
        </Tabs>
      </div>
    </Card>
  );
}
