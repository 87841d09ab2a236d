import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { BerthLogo } from "@/components/berth-logo";
import { ThemeToggle } from "@/components/theme-toggle";
import { currentActor } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";

export default async function AuthLayout({ children }: { children: ReactNode }) {
  if (await currentActor()) redirect("/dashboard");
  return (
    <main className="relative flex min-h-screen flex-col items-center justify-center gap-6 bg-muted/40 p-6">
      <div className="absolute top-4 right-4">
        <ThemeToggle />
      </div>
      <BerthLogo className="text-2xl" />
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}
