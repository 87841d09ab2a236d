import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { BerthLogo } from "@/components/berth-logo";
import { AppNav } from "@/components/shell/app-nav";
import { SessionWatcher } from "@/components/shell/session-watcher";
import { UserMenu } from "@/components/shell/user-menu";
import { SavedTheme, SavedThemeToggle } from "@/components/account/saved-theme";
import { currentActor } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await currentActor();
  if (!actor) redirect("/sign-in");
  return (
    <div className="flex min-h-screen">
      <SessionWatcher />
      <SavedTheme />
      <aside className="hidden w-60 shrink-0 border-r bg-muted/30 p-4 md:block">
        <Link href="/dashboard" className="mb-6 block px-3">
          <BerthLogo className="text-lg" />
        </Link>
        <AppNav isAdmin={actor.role === "admin"} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-between gap-2 border-b px-4 md:justify-end">
          <Link href="/dashboard" className="md:hidden">
            <BerthLogo />
          </Link>
          <div className="flex items-center gap-1">
            <SavedThemeToggle />
            <UserMenu email={actor.email} role={actor.role} />
          </div>
        </header>
        <div className="border-b p-2 md:hidden">
          <AppNav isAdmin={actor.role === "admin"} />
        </div>
        <main className="mx-auto w-full max-w-5xl flex-1 p-4 md:p-8">{children}</main>
      </div>
    </div>
  );
}
