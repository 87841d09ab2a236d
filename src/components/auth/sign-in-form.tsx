"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import { useTRPC } from "@/lib/trpc/react";
import { Field } from "./field";
import { OAuthButtons } from "./oauth-buttons";

const MESSAGES: Record<string, string> = {
  invalid: "Email or password is incorrect.",
  credentials: "Email or password is incorrect.",
  rate_limited: "Too many sign-in attempts. Wait a few minutes, then try again.",
  suspended: "This account is suspended. Contact an administrator.",
};

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/dashboard";
}

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const trpc = useTRPC();
  const providers = useQuery(trpc.auth.providers.queryOptions());
  const [pending, setPending] = useState(false);
  const initial = params.get("message") ?? (params.get("code") ? MESSAGES[params.get("code")!] : params.get("error") ? "Sign-in failed. Try again." : null);
  const [error, setError] = useState<string | null>(initial ?? null);
  const next = safeNext(params.get("next"));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirect: false }).catch(() => null);
    if (!result || result.error) {
      setPending(false);
      setError(MESSAGES[result?.code ?? "invalid"] ?? MESSAGES.invalid!);
      return;
    }
    router.replace(next);
    router.refresh();
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Sign in</CardTitle>
        <CardDescription>Welcome back. Sign in to your workspaces.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {params.get("expired") && !error ? (
          <Alert>
            <AlertDescription>Your session ended. Sign in again to continue.</AlertDescription>
          </Alert>
        ) : null}
        {error ? (
          <Alert variant="destructive">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        ) : null}
        <form className="grid gap-4" onSubmit={onSubmit} noValidate>
          <Field id="email" label="Email" type="email" autoComplete="email" required autoFocus />
          <Field id="password" label="Password" type="password" autoComplete="current-password" required />
          <Button type="submit" disabled={pending}>
            {pending ? <Spinner label="Signing in" /> : null}
            Sign in
          </Button>
        </form>
        <OAuthButtons providers={providers.data?.oauth ?? []} next={next} />
      </CardContent>
      {providers.data && providers.data.signup !== "closed" ? (
        <CardFooter className="justify-center text-sm text-muted-foreground">
          No account yet?&nbsp;
          <Link className="font-medium text-primary hover:underline" href="/sign-up">
            Create one
          </Link>
        </CardFooter>
      ) : null}
    </Card>
  );
}
