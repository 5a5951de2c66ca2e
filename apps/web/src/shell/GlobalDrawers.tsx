/** The drawers any page can open through `?worker=` and `?lease=` (search, ids in lists). */
import { useNavigate, useSearch } from "@tanstack/react-router";
import { lazy, Suspense } from "react";
import { Drawer } from "../components/Drawer.js";
import { SkeletonRows } from "../components/ui.js";

const WorkerDetails = lazy(() => import("../pages/monitoring/WorkerDrawer.js"));
const LeaseDetails = lazy(() => import("../pages/renter/LeaseDrawer.js"));

export default function GlobalDrawers() {
  const search = useSearch({ strict: false }) as { worker?: string; lease?: string };
  const navigate = useNavigate();
  const close = (key: "worker" | "lease") =>
    void navigate({ to: ".", search: (prev) => ({ ...prev, [key]: undefined }), replace: true });
  return (
    <>
      <Drawer
        open={search.worker !== undefined}
        title={`Worker ${search.worker ?? ""}`}
        onClose={() => close("worker")}
      >
        {search.worker !== undefined && (
          <Suspense fallback={<SkeletonRows rows={8} label="Loading worker" />}>
            <WorkerDetails workerId={search.worker} />
          </Suspense>
        )}
      </Drawer>
      <Drawer open={search.lease !== undefined} title="Lease" onClose={() => close("lease")}>
        {search.lease !== undefined && (
          <Suspense fallback={<SkeletonRows rows={8} label="Loading lease" />}>
            <LeaseDetails leaseId={search.lease} />
          </Suspense>
        )}
      </Drawer>
    </>
  );
}

/** Opens the worker or lease drawer on the current page. */
export function useOpenDrawer() {
  const navigate = useNavigate();
  return (key: "worker" | "lease", id: string) =>
    void navigate({ to: ".", search: (prev) => ({ ...prev, [key]: id }) });
}
