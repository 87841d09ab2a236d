import type { Metadata } from "next";
import { InvitesPanel } from "@/components/admin/invites-panel";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Invites" };

export default function AdminInvitesPage() {
  return (
    <>
      <PageHeader title="Invites" description="Invitation codes for sign-up by invitation." />
      <InvitesPanel />
    </>
  );
}
