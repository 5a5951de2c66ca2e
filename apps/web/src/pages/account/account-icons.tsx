/** Line icons only the Account page uses (same 24 × 24 stroke style as components/icons.tsx). */
import type { SVGProps } from "react";

export { IconCoins, IconWallet } from "../../components/icons.js";

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function icon(paths: string[], name: string) {
  function Icon({ size = 16, ...rest }: IconProps) {
    return (
      <svg
        width={size}
        height={size}
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth={2}
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
        focusable="false"
        {...rest}
      >
        {paths.map((d) => (
          <path key={d} d={d} />
        ))}
      </svg>
    );
  }
  Icon.displayName = name;
  return Icon;
}

export const IconClock = icon(["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 6v6l4 2"], "IconClock");
