/** The message a person should read for a failed call: the server's own words (ui.md §7.8). */
import { TRPCClientError } from "@trpc/client";

export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const message = typeof error.message === "string" && error.message !== "" ? error.message : null;
    const code = (error.data as { appCode?: string; code?: string } | undefined)?.appCode;
    if (message) return message;
    if (code) return code;
    return "The server refused the request";
  }
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong";
}

/** The API's `appCode` of a failed call, when it has one. */
export function appCodeOf(error: unknown): string | null {
  if (error instanceof TRPCClientError) {
    return (error.data as { appCode?: string } | undefined)?.appCode ?? null;
  }
  return null;
}
