/** The few line icons the dashboard uses (24 × 24, stroke = currentColor). */
import type { SVGProps } from "react";

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

/** An icon component from its path data (pages with an icon of their own use it too). */
export function icon(paths: string[], name: string) {
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

export const IconOverview = icon(
  ["M3 13h8V3H3z", "M13 21h8V11h-8z", "M13 3v6h8V3z", "M3 21h8v-6H3z"],
  "IconOverview",
);
export const IconMonitoring = icon(["M22 12h-4l-3 9L9 3l-3 9H2"], "IconMonitoring");
export const IconMarket = icon(
  ["M3 9l1.5-5h15L21 9", "M3 9h18v2a3 3 0 0 1-6 0 3 3 0 0 1-6 0 3 3 0 0 1-6 0z", "M5 13v8h14v-8"],
  "IconMarket",
);
export const IconProvider = icon(["M4 4h16v6H4z", "M4 14h16v6H4z", "M8 7h.01", "M8 17h.01"], "IconProvider");
export const IconRenter = icon(
  ["M15 7a4 4 0 1 1-8 0 4 4 0 0 1 8 0z", "M11 11v10", "M11 15h4", "M11 19h3"],
  "IconRenter",
);
export const IconAccount = icon(
  ["M20 21a8 8 0 0 0-16 0", "M12 13a5 5 0 1 0 0-10 5 5 0 0 0 0 10z"],
  "IconAccount",
);
export const IconSearch = icon(["M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z", "M21 21l-4.35-4.35"], "IconSearch");
export const IconBell = icon(
  ["M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9", "M13.73 21a2 2 0 0 1-3.46 0"],
  "IconBell",
);
export const IconWallet = icon(
  ["M3 7a2 2 0 0 1 2-2h14v4", "M3 7v10a2 2 0 0 0 2 2h16V9H5a2 2 0 0 1-2-2z", "M17 14h.01"],
  "IconWallet",
);
export const IconCopy = icon(["M9 9h11v11H9z", "M5 15H4V4h11v1"], "IconCopy");
export const IconCheck = icon(["M20 6L9 17l-5-5"], "IconCheck");
export const IconClose = icon(["M18 6L6 18", "M6 6l12 12"], "IconClose");
export const IconMenu = icon(["M3 6h18", "M3 12h18", "M3 18h18"], "IconMenu");
export const IconChevronLeft = icon(["M15 18l-6-6 6-6"], "IconChevronLeft");
export const IconChevronRight = icon(["M9 18l6-6-6-6"], "IconChevronRight");
export const IconChevronDown = icon(["M6 9l6 6 6-6"], "IconChevronDown");
export const IconArrowUp = icon(["M12 19V5", "M5 12l7-7 7 7"], "IconArrowUp");
export const IconArrowDown = icon(["M12 5v14", "M19 12l-7 7-7-7"], "IconArrowDown");
export const IconCpu = icon(
  [
    "M6 6h12v12H6z",
    "M9 9h6v6H9z",
    "M9 1v3",
    "M15 1v3",
    "M9 20v3",
    "M15 20v3",
    "M20 9h3",
    "M20 14h3",
    "M1 9h3",
    "M1 14h3",
  ],
  "IconCpu",
);
export const IconBlocks = icon(
  ["M3 3h7v7H3z", "M14 3h7v7h-7z", "M14 14h7v7h-7z", "M3 14h7v7H3z"],
  "IconBlocks",
);
export const IconZap = icon(["M13 2L3 14h9l-1 8 10-12h-9l1-8z"], "IconZap");
export const IconCoins = icon(
  [
    "M9 14a6 6 0 1 0 0-12 6 6 0 0 0 0 12z",
    "M18.09 10.37A6 6 0 1 1 10.34 18",
    "M7 6h1v4",
    "M16.71 13.88l.7.71-2.82 2.82",
  ],
  "IconCoins",
);
export const IconAlert = icon(
  [
    "M12 9v4",
    "M12 17h.01",
    "M10.29 3.86L1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z",
  ],
  "IconAlert",
);
export const IconRefresh = icon(
  ["M23 4v6h-6", "M1 20v-6h6", "M3.51 9a9 9 0 0 1 14.85-3.36L23 10", "M1 14l4.64 4.36A9 9 0 0 0 20.49 15"],
  "IconRefresh",
);
export const IconLogo = icon(["M4 4l7 8-7 8", "M20 4l-7 8 7 8"], "IconLogo");
export const IconWifiOff = icon(["M1 1l22 22", "M8.53 16.11a6 6 0 0 1 6.95 0", "M12 20h.01"], "IconWifiOff");
export const IconServer = icon(["M2 2h20v8H2z", "M2 14h20v8H2z", "M6 6h.01", "M6 18h.01"], "IconServer");
export const IconExternal = icon(
  ["M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6", "M15 3h6v6", "M10 14L21 3"],
  "IconExternal",
);
