"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Field } from "@/components/auth/field";
import { ErrorState } from "@/components/error-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";

export function ProfileForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const [name, setName] = useState<string | null>(null);
  const update = useMutation(
    trpc.me.update.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.me.get.queryKey(), data);
        toast.success("Profile saved");
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  if (me.isPending) return <Skeleton className="h-56 w-full" />;
  if (me.isError) return <ErrorState message={errorMessage(me.error)} onRetry={() => void me.refetch()} />;
  const value = name ?? me.data.name ?? "";

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ name: value.trim() ? value.trim() : null });
  }

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate>
        <CardHeader>
          <CardTitle>Profile</CardTitle>
          <CardDescription>How you appear to administrators and in the audit log.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 py-6">
          <Field id="name" label="Display name" value={value} onChange={(e) => setName(e.target.value)} maxLength={100} error={fieldErrors(update.error).name?.[0]} />
          <Field id="email" label="Email" value={me.data.email} disabled readOnly hint="Your email cannot be changed here." />
        </CardContent>
        <CardFooter className="justify-end">
          <Button type="submit" disabled={update.isPending}>
            {update.isPending ? <Spinner label="Saving" /> : null}
            Save
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
