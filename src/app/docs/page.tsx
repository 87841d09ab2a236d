import type { Metadata } from "next";
import Link from "next/link";
import { BerthLogo } from "@/components/berth-logo";
import { ApiExplorer } from "@/components/docs/api-explorer";
import { ThemeToggle } from "@/components/theme-toggle";
import { Button } from "@/components/ui/button";

export const metadata: Metadata = { title: "API docs" };

export default function DocsPage() {
  return (
    <div className="min-h-screen">
      <header className="flex h-14 items-center justify-between border-b px-4">
        <Link href="/">
          <BerthLogo />
        </Link>
        <div className="flex items-center gap-2">
          <Button asChild variant="ghost" size="sm">
            <a href="/api/v1/openapi.json">openapi.json</a>
          </Button>
          <Button asChild variant="outline" size="sm">
            <Link href="/dashboard">Dashboard</Link>
          </Button>
          <ThemeToggle />
        </div>
      </header>
      <main className="mx-auto max-w-7xl p-4 md:p-8">
        <ApiExplorer specUrl="/api/v1/openapi.json" />
      </main>
    </div>
  );
}
