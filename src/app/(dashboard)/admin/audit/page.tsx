import type { Metadata } from "next";
import { AuditTable } from "@/components/admin/audit-table";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Audit log" };

export default function AdminAuditPage() {
  return (
    <>
      <PageHeader title="Audit log" description="Every change, sign-in and refusal, newest first." />
      <AuditTable />
    </>
  );
}
