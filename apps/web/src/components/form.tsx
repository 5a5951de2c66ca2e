/**
 * Form controls (ui.md §4), all labelled and drawn from the tokens:
 *
 * - `Field` — label + control + hint / error, wiring `id`, `aria-describedby` and `aria-invalid`.
 * - `Input` — a text input; `label`, `hint`, `error`, and `prefix` / `suffix` adornments (units).
 * - `AmountInput` — an XNM amount as a **string** (never a float): digits, one dot, ≤ 6 decimals.
 * - `AddressInput` — an Ethereum address: validates `0x` + 40 hex and shows the EIP-55 form.
 * - `Select` — a native select over typed options.
 * - `Switch` — an on/off `role="switch"` button with a visible label.
 *
 * Controlled components: `AmountInput`, `AddressInput`, `Select` and `Switch` call `onChange` with the
 * value itself; `Input` passes the DOM event like a plain `<input>`.
 */
import { type InputHTMLAttributes, type ReactNode, useId } from "react";
import { isAddress, toChecksumAddress } from "../lib/address.js";
import { cx } from "./ui.js";

/** The ids a control inside a `Field` should carry. */
export interface FieldIds {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

export interface FieldProps {
  label?: ReactNode;
  /** Grey help text under the control. */
  hint?: ReactNode;
  /** Red message under the control; marks it invalid. */
  error?: ReactNode;
  /** Use this id for the control (one is generated otherwise). */
  id?: string;
  className?: string;
  /** The control, given the ids to spread on it. */
  children: (ids: FieldIds) => ReactNode;
}

/** A label above a control, hint or error below, all connected for screen readers. */
export function Field({ label, hint, error, id, className, children }: FieldProps) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ");
  return (
    <div className={cx("flex min-w-0 flex-col gap-1.5", className)}>
      {label && (
        <label htmlFor={controlId} className="text-xs font-medium text-fg-2">
          {label}
        </label>
      )}
      {children({
        id: controlId,
        ...(describedBy && { "aria-describedby": describedBy }),
        ...(error ? { "aria-invalid": true as const } : {}),
      })}
      {error && (
        <p id={errorId} className="text-2xs text-danger">
          {error}
        </p>
      )}
      {hint && !error && (
        <p id={hintId} className="text-2xs text-fg-3">
          {hint}
        </p>
      )}
    </div>
  );
}

const CONTROL =
  "h-9 w-full min-w-0 rounded-md border bg-surface-2 px-3 text-sm text-fg placeholder:text-fg-3 transition-colors hover:border-line-hover focus:border-accent focus:outline-none disabled:opacity-50";

export type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "prefix"> & {
  label?: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  /** Text or an icon inside the box, before the value. */
  prefix?: ReactNode;
  /** A unit inside the box, after the value ("XNM", "h"). */
  suffix?: ReactNode;
  /** Classes of the outer field (width). */
  fieldClassName?: string;
  /** Monospace value (ids, addresses, amounts). */
  mono?: boolean;
};

/** A labelled text input. Without `label`, give it an `aria-label`. */
export function Input({
  label,
  hint,
  error,
  prefix,
  suffix,
  fieldClassName,
  mono,
  className,
  id,
  ...rest
}: InputProps) {
  return (
    <Field label={label} hint={hint} error={error} id={id} className={fieldClassName}>
      {(ids) => (
        <div className="relative flex items-center">
          {prefix && (
            <span className="pointer-events-none absolute left-3 flex items-center text-fg-3">{prefix}</span>
          )}
          <input
            {...ids}
            {...rest}
            className={cx(
              CONTROL,
              error ? "border-danger" : "border-line",
              mono && "font-mono tabular",
              prefix ? "pl-9" : null,
              suffix ? "pr-14" : null,
              className,
            )}
          />
          {suffix && <span className="pointer-events-none absolute right-3 text-xs text-fg-3">{suffix}</span>}
        </div>
      )}
    </Field>
  );
}

/** Digits with at most one dot and at most `decimals` fraction digits ("", "12", "0.5", "1." allowed). */
export function isPartialAmount(text: string, decimals = 6): boolean {
  return new RegExp(`^\\d*(\\.\\d{0,${decimals}})?$`).test(text);
}

/** A complete, positive amount ("0" and "1." are not). */
export function isAmount(text: string, decimals = 6): boolean {
  return (
    new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`).test(text) && /[1-9]/.test(text.replace(/^0+(?=\d)/, ""))
  );
}

export type AmountInputProps = Omit<InputProps, "value" | "onChange" | "type" | "inputMode"> & {
  /** The amount as a decimal string ("12.5"); never a number. */
  value: string;
  onChange: (value: string) => void;
  /** Fraction digits allowed (6 for XNM). */
  decimals?: number;
};

/**
 * An amount typed as text: keystrokes that would make it something other than digits, one dot and
 * ≤ `decimals` fraction digits are ignored (a comma is read as a dot). The unit shows as `suffix`
 * (default "XNM").
 */
export function AmountInput({ value, onChange, decimals = 6, suffix = "XNM", ...rest }: AmountInputProps) {
  return (
    <Input
      {...rest}
      mono
      type="text"
      inputMode="decimal"
      autoComplete="off"
      spellCheck={false}
      suffix={suffix}
      value={value}
      onChange={(e) => {
        const next = e.target.value.trim().replace(",", ".");
        if (isPartialAmount(next, decimals)) onChange(next);
      }}
    />
  );
}

/** Why `text` is not an address, or null when it is one (empty counts as "not yet typed": null). */
export function addressError(text: string): string | null {
  const t = text.trim();
  if (t === "") return null;
  if (!t.startsWith("0x")) return "An address starts with 0x";
  if (!isAddress(t)) return "An address is 0x followed by 40 hex characters";
  return null;
}

export type AddressInputProps = Omit<InputProps, "value" | "onChange" | "type"> & {
  value: string;
  onChange: (value: string) => void;
};

/** An address field: flags anything that is not `0x` + 40 hex, and shows the EIP-55 form once valid. */
export function AddressInput({ value, onChange, error, hint, ...rest }: AddressInputProps) {
  const trimmed = value.trim();
  const problem = error ?? addressError(trimmed);
  const checksummed = !problem && isAddress(trimmed) ? toChecksumAddress(trimmed) : null;
  return (
    <Input
      {...rest}
      mono
      type="text"
      autoComplete="off"
      spellCheck={false}
      placeholder={rest.placeholder ?? "0x…"}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={problem ?? undefined}
      hint={
        checksummed ? (
          <span>
            <span className="text-fg-2">EIP-55: </span>
            <span className="font-mono break-all text-fg-2" data-testid="address-checksum">
              {checksummed}
            </span>
          </span>
        ) : (
          hint
        )
      }
    />
  );
}

export interface SelectOption<T extends string> {
  value: T;
  label: ReactNode;
  disabled?: boolean;
}

export function Select<T extends string>({
  label,
  hint,
  error,
  value,
  onChange,
  options,
  id,
  className,
  fieldClassName,
  disabled,
  "aria-label": ariaLabel,
}: {
  label?: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  value: T;
  onChange: (value: T) => void;
  options: ReadonlyArray<SelectOption<T>>;
  id?: string;
  className?: string;
  fieldClassName?: string;
  disabled?: boolean;
  "aria-label"?: string;
}) {
  return (
    <Field label={label} hint={hint} error={error} id={id} className={fieldClassName}>
      {(ids) => (
        <select
          {...ids}
          aria-label={ariaLabel}
          value={value}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value as T)}
          className={cx(CONTROL, "pr-8", error ? "border-danger" : "border-line", className)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** An on/off switch with its label on the right (the whole row is clickable). */
export function Switch({
  label,
  checked,
  onChange,
  disabled,
  description,
  className,
  id,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  description?: ReactNode;
  className?: string;
  id?: string;
}) {
  const generated = useId();
  const controlId = id ?? generated;
  return (
    <div className={cx("flex items-start gap-2.5", className)}>
      <button
        id={controlId}
        type="button"
        role="switch"
        aria-checked={checked}
        aria-labelledby={`${controlId}-label`}
        aria-describedby={description ? `${controlId}-description` : undefined}
        disabled={disabled}
        onClick={() => onChange(!checked)}
        className={cx(
          "relative mt-0.5 inline-flex h-5 w-9 shrink-0 items-center rounded-full border transition-colors disabled:opacity-50",
          checked ? "border-accent bg-accent" : "border-line bg-surface-3",
        )}
      >
        <span
          aria-hidden="true"
          className={cx(
            "inline-block h-3.5 w-3.5 rounded-full transition-transform",
            checked ? "translate-x-4.5 bg-fg-inverse" : "translate-x-0.5 bg-fg-2",
          )}
        />
      </button>
      <span className="flex flex-col">
        <label id={`${controlId}-label`} htmlFor={controlId} className="cursor-pointer text-sm text-fg">
          {label}
        </label>
        {description && (
          <span id={`${controlId}-description`} className="text-2xs text-fg-3">
            {description}
          </span>
        )}
      </span>
    </div>
  );
}
