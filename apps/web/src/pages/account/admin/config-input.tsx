/** The `set_config` object as JSON text (worker-protocol config keys), parsed and checked as typed. */
import { useId } from "react";
import { cx } from "../../../components/ui.js";

/** The parsed object, or an error message. */
export function parseConfig(text: string): { config: Record<string, unknown> } | { error: string } {
  if (text.trim() === "") return { error: "Enter the config as a JSON object" };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return { error: 'The config must be a JSON object, e.g. {"difficulty": 8}' };
    }
    return { config: value as Record<string, unknown> };
  } catch (e) {
    return { error: e instanceof Error ? e.message : "Not valid JSON" };
  }
}

export function ConfigInput({ value, onChange }: { value: string; onChange: (text: string) => void }) {
  const id = useId();
  const parsed = parseConfig(value);
  const error = value.trim() !== "" && "error" in parsed ? parsed.error : null;
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-xs font-medium text-fg-2">
        Config (JSON)
      </label>
      <textarea
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={3}
        spellCheck={false}
        placeholder='{"address": "0x…", "prefix": "", "blockPattern": "XEN11", "difficulty": 8}'
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help`}
        className={cx(
          "w-full rounded-md border bg-surface-2 px-3 py-2 font-mono text-xs text-fg placeholder:text-fg-3 hover:border-line-hover focus:border-accent focus:outline-none",
          error ? "border-danger" : "border-line",
        )}
      />
      <p id={`${id}-help`} className={cx("text-2xs", error ? "text-danger" : "text-fg-3")}>
        {error ?? "Sent to the worker as set_config."}
      </p>
    </div>
  );
}
