import type { Metadata } from "next";
import { AdminSlotsTable } from "@/components/admin/admin-slots-table";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "All slots" };

export default async function AdminSlotsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { owner } = await searchParams;
  return (
    <>
      <PageHeader title="All slots" description="Every user's slots, live. Stop or delete any of them." />
      <AdminSlotsTable ownerId={typeof owner === "string" && owner ? owner.slice(0, 64) : undefined} />
    </>
  );
}
