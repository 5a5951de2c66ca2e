/** Manual credit (admin): a deposit paid outside the platform, with its reference; idempotent per confirmation. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { toast } from "sonner";
import { ConfirmDialog } from "../../../components/Dialog.js";
import { AddressInput, AmountInput, addressError, Input } from "../../../components/form.js";
import { Button } from "../../../components/ui.js";
import { toChecksumAddress } from "../../../lib/address.js";
import { formatXnm } from "../../../lib/format.js";
import { useTRPC } from "../../../trpc.js";
import { amountUnits, newIdempotencyKey } from "../lib.js";

export function AdminCredit({ address: preset }: { address: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [address, setAddress] = useState(preset);
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  // One key per confirmation: a retry of the same confirmed credit cannot pay twice.
  const [key, setKey] = useState<string | null>(null);
  useEffect(() => setAddress(preset), [preset]);
  const credit = useMutation(
    trpc.admin.credit.mutationOptions({
      onSuccess: (entry) => {
        toast.success(`Credited ${formatXnm(entry.amount)}`);
        setAmount("");
        setReference("");
        void queryClient.invalidateQueries(trpc.admin.pathFilter());
        void queryClient.invalidateQueries(trpc.account.pathFilter());
      },
    }),
  );
  const units = amountUnits(amount);
  const ready =
    address.trim() !== "" && addressError(address) === null && units !== null && reference.trim() !== "";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ready) setKey(newIdempotencyKey());
  };
  let shown = address.trim();
  try {
    shown = toChecksumAddress(shown);
  } catch {
    // Not valid yet; the button stays disabled.
  }
  return (
    <form
      onSubmit={submit}
      className="grid max-w-2xl grid-cols-1 gap-4 p-4 md:grid-cols-2"
      aria-label="Manual credit"
    >
      <AddressInput label="Account" value={address} onChange={setAddress} fieldClassName="md:col-span-2" />
      <AmountInput
        label="Amount"
        value={amount}
        onChange={setAmount}
        error={amount !== "" && units === null ? "Enter an amount above 0" : undefined}
      />
      <Input
        label="Payment reference"
        value={reference}
        onChange={(e) => setReference(e.target.value)}
        maxLength={128}
        placeholder="bank transfer id, tx hash…"
      />
      <div className="md:col-span-2">
        <Button type="submit" variant="primary" disabled={!ready || credit.isPending}>
          Credit account…
        </Button>
      </div>
      <ConfirmDialog
        open={key !== null}
        title="Credit this account?"
        confirmLabel="Credit"
        onCancel={() => setKey(null)}
        onConfirm={() =>
          key
            ? credit.mutateAsync({
                address: address.trim(),
                amount,
                reference: reference.trim(),
                idempotencyKey: key,
              })
            : undefined
        }
      >
        <p>
          Adds <span className="font-mono text-fg">{formatXnm(amount || "0")}</span> to{" "}
          <span className="font-mono break-all text-fg">{shown}</span> as a manual deposit with reference{" "}
          <span className="font-mono text-fg">{reference.trim()}</span>. It is recorded in the audit log.
        </p>
      </ConfirmDialog>
    </form>
  );
}
