import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { currentActor } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const actor = await currentActor();
  // Non-admins get the same 404 as for a page that does not exist.
  if (actor?.role !== "admin") notFound();
  return children;
}
