"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ErrorState } from "@/components/error-state";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { ActivityCard } from "./activity";

export function Overview() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  if (me.isPending) return <Skeleton className="h-48 w-full" />;
  if (me.isError) return <ErrorState message={errorMessage(me.error)} onRetry={() => void me.refetch()} />;
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const u = me.data;
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle>Your account</CardTitle>
          <CardDescription>Who Berth knows you as.</CardDescription>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
            <dt className="text-muted-foreground">Name</dt>
            <dd data-testid="overview-name">{u.name ?? <span className="text-muted-foreground">Not set</span>}</dd>
            <dt className="text-muted-foreground">Email</dt>
            <dd data-testid="overview-email">{u.email}</dd>
            <dt className="text-muted-foreground">Role</dt>
            <dd>
              <Badge variant="secondary">{u.role}</Badge>
            </dd>
            <dt className="text-muted-foreground">Plan</dt>
            <dd>{u.plan ?? "Default"}</dd>
            <dt className="text-muted-foreground">Member since</dt>
            <dd>{new Date(u.createdAt).toLocaleDateString()}</dd>
          </dl>
          <Button asChild variant="outline" size="sm" className="mt-4">
            <Link href="/settings/profile">Edit profile</Link>
          </Button>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Use the API</CardTitle>
          <CardDescription>Everything here is also a REST API and a typed tRPC API.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3 text-sm">
          {u.hasPassword ? (
            <p>Get a token with your email and password, then call any route:</p>
          ) : (
            <p>
              You sign in through an identity provider, so this account has no password for <code>POST /auth/token</code>. In this browser, calls to{" "}
              <code>/api/v1</code> work with your session. The token flow for password accounts:
            </p>
          )}
          <pre className="rounded-md bg-muted p-3 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap">
            {`curl -s ${origin}/api/v1/auth/token \\
  -H 'Content-Type: application/json' \\
  -d '{"email":"${u.email}","password":"…"}'

curl -s ${origin}/api/v1/me \\
  -H 'Authorization: Bearer <accessToken>'`}
          </pre>
          <Button asChild size="sm" className="w-fit">
            <Link href="/docs">Open the API docs</Link>
          </Button>
        </CardContent>
      </Card>
      <ActivityCard />
    </div>
  );
}
