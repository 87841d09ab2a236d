import type { Metadata } from "next";
import { UsersTable } from "@/components/admin/users-table";
import { PageHeader } from "@/components/shell/page-header";
import { currentActor } from "@/server/auth/current-user";

export const metadata: Metadata = { title: "Users" };

export default async function AdminUsersPage() {
  const actor = await currentActor();
  return (
    <>
      <PageHeader title="Users" description="Everyone with an account: change roles, suspend and reactivate. Open someone to change their plan and limits." />
      <UsersTable selfId={actor!.id} />
    </>
  );
}
