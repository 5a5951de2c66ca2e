/** Account info (ui.md §2 Account): EIP-55 address with copy, Provider and Admin badges, member since. */

import type { Me } from "../../api-types.js";
import { Badge } from "../../components/badges.js";
import { DetailList } from "../../components/DetailList.js";
import { Card } from "../../components/ui.js";
import { CopyButton, TimeAgo } from "../../components/values.js";
import { toChecksumAddress } from "../../lib/address.js";
import { formatDateTime } from "../../lib/format.js";

export function AccountInfo({ me }: { me: Me }) {
  let address = me.address;
  try {
    address = toChecksumAddress(me.address);
  } catch {
    // Shown as the server sent it.
  }
  return (
    <Card title="Account info">
      <div className="mb-4">
        <div className="text-xs text-fg-2">Address (EIP-55)</div>
        <div className="mt-1 flex items-start gap-1">
          <span className="min-w-0 font-mono text-xs break-all text-fg" data-testid="account-address">
            {address}
          </span>
          <CopyButton value={address} label="Copy address" />
        </div>
      </div>
      <DetailList
        rows={[
          [
            "Roles",
            <span key="r" className="flex flex-wrap gap-1.5" data-testid="account-roles">
              {me.isProvider && <Badge tone="info">Provider</Badge>}
              {me.isAdmin && <Badge tone="warning">Admin</Badge>}
              {!me.isProvider && !me.isAdmin && <span className="text-fg-2">Renter</span>}
            </span>,
          ],
          [
            "Member since",
            me.createdAt ? (
              <span key="m">
                {formatDateTime(me.createdAt).slice(0, 10)}{" "}
                <span className="text-fg-3">
                  (<TimeAgo at={me.createdAt} />)
                </span>
              </span>
            ) : (
              <span key="m" className="text-fg-2">
                —
              </span>
            ),
          ],
        ]}
      />
    </Card>
  );
}
