"use client";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/button";

export function OAuthButtons({ providers, next }: { providers: { id: string; name: string }[]; next: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="grid gap-2">
      <div className="relative my-2 text-center text-xs text-muted-foreground">
        <span className="bg-card px-2">or</span>
        <div className="absolute inset-x-0 top-1/2 -z-10 border-t" />
      </div>
      {providers.map((p) => (
        <Button key={p.id} type="button" variant="outline" onClick={() => void signIn(p.id, { redirectTo: next })}>
          Continue with {p.name}
        </Button>
      ))}
    </div>
  );
}
