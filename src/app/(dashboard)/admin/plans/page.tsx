import type { Metadata } from "next";
import { PlansPanel } from "@/components/admin/plans-panel";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Plans" };

export default function AdminPlansPage() {
  return (
    <>
      <PageHeader title="Plans" description="Quotas, per-slot ceilings, auto-stop and prices. Change a person's plan or limits on their page under Users." />
      <PlansPanel />
    </>
  );
}
