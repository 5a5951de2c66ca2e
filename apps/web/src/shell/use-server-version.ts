import { useQuery } from "@tanstack/react-query";

/**
 * The server's version for the sidebar footer. The tRPC API has no public version field, so this reads
 * the JSON the server answers at `/` for non-HTML requests (api.md §4); nothing is shown without it.
 */
export function useServerVersion(): string | null {
  const { data } = useQuery({
    queryKey: ["server-version"],
    queryFn: async () => {
      const res = await fetch("/", { headers: { accept: "application/json" } });
      if (!res.ok || !res.headers.get("content-type")?.includes("json")) return null;
      const body = (await res.json()) as { version?: unknown };
      return typeof body.version === "string" ? body.version : null;
    },
    staleTime: Number.POSITIVE_INFINITY,
    refetchInterval: false,
    retry: false,
  });
  return data ?? null;
}
