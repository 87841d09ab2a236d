"use client";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/button";

export function OAuthButtons({ providers, next }: { providers: { id: string; name: string }[]; next: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="grid gap-2">
      <div className="my-2 flex items-center gap-3 text-xs text-muted-foreground">
        <div className="h-px flex-1 bg-border" />
        or
        <div className="h-px flex-1 bg-border" />
      </div>
      {providers.map((p) => (
        <Button key={p.id} type="button" variant="outline" onClick={() => void signIn(p.id, { redirectTo: next })}>
          Continue with {p.name}
        </Button>
      ))}
    </div>
  );
}
