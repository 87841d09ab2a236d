"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Field } from "@/components/auth/field";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";

export function PasswordForm() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation(trpc.me.changePassword.mutationOptions());
  if (me.isPending) return <Skeleton className="h-64 w-full" />;
  if (me.data && !me.data.hasPassword) {
    return (
      <Alert>
        <AlertDescription>You sign in through an identity provider, so this account has no Berth password to change.</AlertDescription>
      </Alert>
    );
  }
  const fields = fieldErrors(change.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const newPassword = String(form.get("newPassword") ?? "");
    if (newPassword !== String(form.get("confirmPassword") ?? "")) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate(
      { currentPassword: String(form.get("currentPassword") ?? ""), newPassword },
      {
        onSuccess: () => {
          formEl.reset();
          toast.success("Password changed", { description: "Every other session and API token was signed out." });
        },
        onError: (err) => {
          if (Object.keys(fieldErrors(err)).length === 0) toast.error(errorMessage(err));
        },
      },
    );
  }

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate>
        <CardHeader>
          <CardTitle>Change password</CardTitle>
          <CardDescription>Changing it signs out your other sessions and revokes your API tokens.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 py-6">
          <Field id="currentPassword" label="Current password" type="password" autoComplete="current-password" required error={fields.currentPassword?.[0]} />
          <Field id="newPassword" label="New password" type="password" autoComplete="new-password" required hint="At least 8 characters." error={fields.newPassword?.[0]} />
          <Field id="confirmPassword" label="Repeat new password" type="password" autoComplete="new-password" required error={mismatch ? "The two passwords differ." : undefined} />
        </CardContent>
        <CardFooter className="justify-end">
          <Button type="submit" disabled={change.isPending}>
            {change.isPending ? <Spinner label="Saving" /> : null}
            Change password
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
