/**
 * API keys (ui.md §2 Account): create one by name → a modal shows the key this once, with a copy
 * button and a warning; the list shows name, last 4, created, last used; revoke asks first.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { Badge } from "../../components/badges.js";
import { ConfirmDialog, Dialog } from "../../components/Dialog.js";
import { Input } from "../../components/form.js";
import { IconAlert } from "../../components/icons.js";
import { Button, Card } from "../../components/ui.js";
import { CopyButton, TimeAgo } from "../../components/values.js";
import { useTRPC } from "../../trpc.js";
import { DataTable, QueryBody, Td } from "./parts.js";

interface NewKey {
  name: string;
  key: string;
}

export function ApiKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.account.apiKeys.list.queryOptions());
  const [name, setName] = useState("");
  const [created, setCreated] = useState<NewKey | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string; last4: string } | null>(null);
  const refresh = () => void queryClient.invalidateQueries(trpc.account.apiKeys.pathFilter());
  const create = useMutation(
    trpc.account.apiKeys.create.mutationOptions({
      onSuccess: (k) => {
        setCreated({ name: k.name, key: k.key });
        setName("");
        refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.account.apiKeys.revoke.mutationOptions({
      onSuccess: () => {
        toast.success("API key revoked");
        refresh();
      },
    }),
  );

  const trimmed = name.trim();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (trimmed === "" || create.isPending) return;
    create.mutate({ name: trimmed });
  };
  const list = keys.data ?? [];
  const active = list.filter((k) => k.revokedAt === null);

  return (
    <Card
      title="API keys"
      actions={<span className="text-2xs text-fg-3">{active.length} active</span>}
      bodyClassName="p-0"
    >
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2 p-4" aria-label="Create an API key">
        <Input
          label="New key name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={64}
          placeholder="e.g. rental-bot"
          fieldClassName="min-w-48 flex-1"
        />
        <Button type="submit" variant="primary" disabled={trimmed === "" || create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
        <p className="w-full text-2xs text-fg-3">
          Scripts send the key as <span className="font-mono">X-API-Key</span>; it acts as you, except for
          signing in and managing keys.
        </p>
      </form>
      <QueryBody
        pending={keys.isPending}
        error={keys.error}
        empty={list.length === 0}
        emptyTitle="No API keys"
        emptyText="Create one to use the API from scripts."
        loadingLabel="Loading API keys"
        onRetry={() => void keys.refetch()}
      >
        <div className="border-t border-line">
          <DataTable
            label="API keys"
            testId="api-keys"
            columns={[
              { label: "Name" },
              { label: "Key" },
              { label: "Created" },
              { label: "Last used" },
              { label: "Action", srOnly: true, align: "right" },
            ]}
          >
            {list.map((k) => (
              <tr
                key={k.id}
                className="border-t border-line first:border-t-0"
                data-testid="api-key-row"
                data-name={k.name}
                data-revoked={k.revokedAt !== null}
              >
                <Td className={k.revokedAt ? "text-fg-3" : "text-fg"}>{k.name}</Td>
                <Td className="font-mono text-fg-2">…{k.last4}</Td>
                <Td>
                  <TimeAgo at={k.createdAt} className="text-fg-2" />
                </Td>
                <Td>
                  {k.lastUsedAt ? (
                    <TimeAgo at={k.lastUsedAt} className="text-fg-2" />
                  ) : (
                    <span className="text-fg-3">never</span>
                  )}
                </Td>
                <Td align="right">
                  {k.revokedAt ? (
                    <Badge tone="muted">Revoked</Badge>
                  ) : (
                    <Button
                      size="sm"
                      variant="ghost"
                      className="text-danger hover:text-danger"
                      onClick={() => setRevoking({ id: k.id, name: k.name, last4: k.last4 })}
                      aria-label={`Revoke API key ${k.name}`}
                    >
                      Revoke
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </DataTable>
        </div>
      </QueryBody>

      <Dialog
        open={created !== null}
        onClose={() => setCreated(null)}
        title={`API key “${created?.name ?? ""}” created`}
        testId="api-key-created"
        footer={
          <Button variant="primary" onClick={() => setCreated(null)} data-autofocus>
            I have stored it
          </Button>
        }
      >
        {created && (
          <div className="flex flex-col gap-3">
            <div
              role="note"
              className="flex gap-2 rounded-md border border-warning/40 bg-warning-muted px-3 py-2 text-xs text-warning"
            >
              <IconAlert size={14} className="mt-0.5 shrink-0" />
              <span>
                This is the only time the key is shown. Copy it now and keep it secret: the server stores only
                its hash and cannot show it again.
              </span>
            </div>
            <div className="flex items-center gap-2 rounded-md border border-line bg-surface-2 px-3 py-2">
              <code
                className="min-w-0 flex-1 font-mono text-xs break-all text-fg"
                data-testid="api-key-value"
              >
                {created.key}
              </code>
              <CopyButton value={created.key} label="Copy API key" />
            </div>
          </div>
        )}
      </Dialog>

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this API key?"
        confirmLabel="Revoke"
        tone="danger"
        onCancel={() => setRevoking(null)}
        onConfirm={() => (revoking ? revoke.mutateAsync({ id: revoking.id }) : undefined)}
        testId="api-key-revoke"
      >
        {revoking && (
          <p>
            Scripts using <span className="font-medium text-fg">{revoking.name}</span> (
            <span className="font-mono">…{revoking.last4}</span>) will be refused from now on. This cannot be
            undone.
          </p>
        )}
      </ConfirmDialog>
    </Card>
  );
}
