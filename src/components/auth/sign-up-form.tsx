"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { errorCode, errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";
import { Field } from "./field";
import { OAuthButtons } from "./oauth-buttons";

export function SignUpForm() {
  const router = useRouter();
  const trpc = useTRPC();
  const providers = useQuery(trpc.auth.providers.queryOptions());
  const register = useMutation(trpc.auth.register.mutationOptions());
  const [signingIn, setSigningIn] = useState(false);
  const fields = fieldErrors(register.error);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    const inviteCode = String(form.get("inviteCode") ?? "").trim();
    register.mutate(
      { email, password, ...(name ? { name } : {}), ...(inviteCode ? { inviteCode } : {}) },
      {
        onSuccess: async () => {
          setSigningIn(true);
          const result = await signIn("credentials", { email, password, redirect: false }).catch(() => null);
          if (!result || result.error) {
            router.replace("/sign-in");
            return;
          }
          router.replace("/dashboard");
          router.refresh();
        },
      },
    );
  }

  if (providers.isPending) {
    return <Skeleton className="h-96 w-full" />;
  }
  const mode = providers.data?.signup ?? "open";
  if (mode === "closed") {
    return (
      <Card>
        <CardHeader>
          <CardTitle className="text-xl">Sign-up is closed</CardTitle>
          <CardDescription>This Berth does not accept new accounts. Ask an administrator to create one for you.</CardDescription>
        </CardHeader>
        <CardFooter>
          <Button asChild variant="outline" className="w-full">
            <Link href="/sign-in">Back to sign in</Link>
          </Button>
        </CardFooter>
      </Card>
    );
  }
  const busy = register.isPending || signingIn;
  // Field errors speak for themselves, except "already exists", whose message says what to do next.
  const generalError = register.error && (Object.keys(fields).length === 0 || errorCode(register.error) === "CONFLICT") ? errorMessage(register.error) : null;
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Create your account</CardTitle>
        <CardDescription>{mode === "invite" ? "Sign-up is by invitation: you need the code an administrator gave you." : "Start with a workspace in under a minute."}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {generalError ? (
          <Alert variant="destructive">
            <AlertDescription>
              {generalError}
              {errorCode(register.error) === "CONFLICT" ? (
                <Link className="font-medium underline" href="/sign-in">
                  Go to sign in
                </Link>
              ) : null}
            </AlertDescription>
          </Alert>
        ) : null}
        <form className="grid gap-4" onSubmit={onSubmit} noValidate>
          <Field id="name" label="Name" autoComplete="name" placeholder="Ada Lovelace" error={fields.name?.[0]} />
          <Field id="email" label="Email" type="email" autoComplete="email" required error={fields.email?.[0]} />
          <Field id="password" label="Password" type="password" autoComplete="new-password" required hint="At least 8 characters." error={fields.password?.[0]} />
          {mode === "invite" ? <Field id="inviteCode" label="Invite code" required error={fields.inviteCode?.[0]} /> : null}
          <Button type="submit" disabled={busy}>
            {busy ? <Spinner label="Creating your account" /> : null}
            Create account
          </Button>
        </form>
        {mode === "open" ? <OAuthButtons providers={providers.data?.oauth ?? []} next="/dashboard" /> : null}
      </CardContent>
      <CardFooter className="justify-center text-sm text-muted-foreground">
        Already have an account?&nbsp;
        <Link className="font-medium text-primary hover:underline" href="/sign-in">
          Sign in
        </Link>
      </CardFooter>
    </Card>
  );
}
