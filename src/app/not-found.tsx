import Link from "next/link";
import { Button } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="flex min-h-[70vh] flex-col items-center justify-center gap-4 p-6 text-center">
      <p className="text-sm font-medium text-muted-foreground">404</p>
      <h1 className="text-2xl font-semibold">This page does not exist</h1>
      <p className="max-w-sm text-muted-foreground">The address may be mistyped, or the page may have moved.</p>
      <Button asChild>
        <Link href="/">Go to Berth</Link>
      </Button>
    </main>
  );
}
