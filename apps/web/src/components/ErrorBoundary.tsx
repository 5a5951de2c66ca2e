/** Errors inside a route or a widget stay there: a message and a way to try again. */
import { Component, type ErrorInfo, type ReactNode } from "react";
import { errorMessage } from "../lib/errors.js";
import { Button, ErrorState } from "./ui.js";

export class ErrorBoundary extends Component<
  { children: ReactNode; fallback?: (error: unknown, reset: () => void) => ReactNode },
  { error: unknown }
> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.warn("widget failed", error, info.componentStack);
  }

  reset = () => this.setState({ error: null });

  override render() {
    if (this.state.error !== null) {
      return this.props.fallback ? (
        this.props.fallback(this.state.error, this.reset)
      ) : (
        <ErrorState message={errorMessage(this.state.error)} onRetry={this.reset} />
      );
    }
    return this.props.children;
  }
}

/** The route error component (TanStack Router's per-route boundary). */
export function RouteError({ error, reset }: { error: unknown; reset: () => void }) {
  return (
    <div className="mx-auto max-w-xl rounded-lg border border-line bg-surface-1 p-6">
      <ErrorState title="This page failed to load" message={errorMessage(error)} />
      <div className="mt-2 flex justify-center gap-2">
        <Button variant="secondary" size="sm" onClick={reset}>
          Try again
        </Button>
        <Button variant="ghost" size="sm" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </div>
    </div>
  );
}
