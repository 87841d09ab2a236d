"use client";
// A value shown once (a key, a secret, an invite code) with a button that copies it.
import { Copy } from "lucide-react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { copyText } from "@/lib/clipboard";

export function CopyLine({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="flex min-w-0 items-center gap-2 rounded-md bg-muted p-3">
      <code className="min-w-0 flex-1 overflow-x-auto font-mono text-xs break-all" data-testid={testId}>
        {value}
      </code>
      <Button size="icon" variant="ghost" aria-label={label} onClick={() => void copyText(value).then((ok) => (ok ? toast.success("Copied") : toast.error("Could not copy; select the text instead")))}>
        <Copy />
      </Button>
    </div>
  );
}
