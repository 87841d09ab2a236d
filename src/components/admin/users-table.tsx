"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Search, Users } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useDebounced } from "@/components/use-debounced";
import { errorMessage, useTRPC } from "@/lib/trpc/react";

const ROLES = ["admin", "user", "readonly"] as const;
type Role = (typeof ROLES)[number];

export function UsersTable({ selfId }: { selfId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<"all" | "active" | "suspended">("all");
  const search = useDebounced(q.trim());
  const input = { limit: 20, ...(search ? { q: search } : {}), ...(status !== "all" ? { status } : {}) };
  const list = useInfiniteQuery(trpc.admin.users.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor }));
  const update = useMutation(
    trpc.admin.users.update.mutationOptions({
      onSuccess: async (user, vars) => {
        await queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() });
        toast.success(vars.status === "suspended" ? `${user.email} is suspended` : vars.status === "active" ? `${user.email} is active again` : `${user.email} is now ${user.role}`);
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap gap-2">
        <div className="relative min-w-64 flex-1">
          <Search className="absolute top-2.5 left-2.5 size-4 text-muted-foreground" aria-hidden />
          <Input aria-label="Search users" placeholder="Search by email or name" className="pl-8" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <Select value={status} onValueChange={(v) => setStatus(v as typeof status)}>
          <SelectTrigger className="w-40" aria-label="Filter by status">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="all">All statuses</SelectItem>
            <SelectItem value="active">Active</SelectItem>
            <SelectItem value="suspended">Suspended</SelectItem>
          </SelectContent>
        </Select>
      </div>
      <PagedList query={list} count={rows.length} empty={<EmptyState icon={Users} title="No users found" description={search || status !== "all" ? "Nobody matches these filters." : "Nobody has signed up yet."} />}>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>User</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Last sign-in</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((u) => (
              <TableRow key={u.id} data-testid={`user-row-${u.email}`}>
                <TableCell>
                  <Link href={`/admin/users/${u.id}`} className="font-medium hover:underline">
                    {u.email}
                  </Link>
                  <div className="text-xs text-muted-foreground">{u.name ?? "—"}</div>
                </TableCell>
                <TableCell>
                  <Select value={u.role} disabled={u.id === selfId || update.isPending} onValueChange={(role) => update.mutate({ id: u.id, role: role as Role })}>
                    <SelectTrigger size="sm" className="w-32" aria-label={`Role of ${u.email}`}>
                      <SelectValue />
                    </SelectTrigger>
                    <SelectContent>
                      {ROLES.map((r) => (
                        <SelectItem key={r} value={r}>
                          {r}
                        </SelectItem>
                      ))}
                    </SelectContent>
                  </Select>
                </TableCell>
                <TableCell>
                  <Badge variant={u.status === "active" ? "success" : "destructive"}>{u.status}</Badge>
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : "Never"}</TableCell>
                <TableCell className="text-right">
                  {u.id === selfId ? (
                    <span className="text-xs text-muted-foreground">You</span>
                  ) : u.status === "active" ? (
                    <ConfirmButton
                      title={`Suspend ${u.email}?`}
                      description="They are signed out everywhere at once and every API token they hold stops working. You can reactivate them later."
                      confirmLabel="Suspend"
                      onConfirm={() => update.mutate({ id: u.id, status: "suspended" })}
                    >
                      Suspend
                    </ConfirmButton>
                  ) : (
                    <Button size="sm" variant="secondary" onClick={() => update.mutate({ id: u.id, status: "active" })}>
                      Reactivate
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
