/** Reputation as stars and a score (the card's summary; the drawer has the breakdown). */
import { cx } from "../../components/ui.js";

export function ReputationStars({
  stars,
  score,
  className,
}: {
  stars: number;
  score: number;
  className?: string;
}) {
  const full = Math.max(0, Math.min(5, Math.round(stars)));
  return (
    <span
      className={cx("inline-flex items-center gap-1.5 text-xs", className)}
      title={`${stars.toFixed(1)} of 5 stars, score ${score.toFixed(2)} of 100`}
    >
      <span aria-hidden="true">
        <span className="text-warning">{"★".repeat(full)}</span>
        <span className="text-fg-3">{"★".repeat(5 - full)}</span>
      </span>
      <span className="sr-only">{stars.toFixed(1)} of 5 stars,</span>
      <span className="tabular text-fg-2">{score.toFixed(1)}</span>
    </span>
  );
}
