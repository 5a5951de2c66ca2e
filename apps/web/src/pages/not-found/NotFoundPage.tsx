import { Link } from "@tanstack/react-router";
import { Card, EmptyState } from "../../components/ui.js";

export function NotFoundPage() {
  return (
    <Card>
      <EmptyState
        title="Page not found"
        action={
          <Link to="/" className="text-sm font-medium text-accent hover:underline">
            Go to Overview
          </Link>
        }
      >
        There is nothing at this address.
      </EmptyState>
    </Card>
  );
}
