"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Ticket } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Field } from "@/components/auth/field";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CreateFormFooter, OneTimeSecretDialog } from "@/components/one-time-secret-dialog";
import { DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";
import { CopyLine } from "@/components/copy-line";

const STATUS_VARIANT = { pending: "default", used: "secondary", expired: "outline", revoked: "destructive" } as const;

function CreateInviteDialog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<"user" | "readonly" | "admin">("user");
  const create = useMutation(
    trpc.admin.invites.create.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.admin.invites.list.pathKey() }),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("inviteEmail") ?? "").trim();
    create.mutate({ role, expiresInDays: 7, ...(email ? { email } : {}) });
  }

  return (
    <OneTimeSecretDialog
      trigger={<Button>New invite</Button>}
      onClose={() => create.reset()}
      shown={
        create.data
          ? {
              title: "Invite created",
              description: "Send this code to the person you invite. It is shown only now, and works once within 7 days.",
              body: <CopyLine label="Copy invite code" value={create.data.code} testId="invite-code" />,
            }
          : null
      }
    >
      <form onSubmit={onSubmit} className="grid gap-4" noValidate>
        <DialogHeader>
          <DialogTitle>New invite</DialogTitle>
          <DialogDescription>Only needed when sign-up is by invitation (BERTH_SIGNUP=invite).</DialogDescription>
        </DialogHeader>
        <Field id="inviteEmail" label="Email (optional)" type="email" hint="Leave empty to let anyone with the code sign up." error={fieldErrors(create.error).email?.[0]} />
        <div className="grid gap-1.5">
          <Label>Role</Label>
          <Select value={role} onValueChange={(v) => setRole(v as typeof role)}>
            <SelectTrigger aria-label="Role">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="user">user</SelectItem>
              <SelectItem value="readonly">readonly</SelectItem>
              <SelectItem value="admin">admin</SelectItem>
            </SelectContent>
          </Select>
        </div>
        <CreateFormFooter error={create.error} pending={create.isPending} label="Create invite" />
      </form>
    </OneTimeSecretDialog>
  );
}

export function InvitesPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useInfiniteQuery(trpc.admin.invites.list.infiniteQueryOptions({ limit: 20 }, { getNextPageParam: (last) => last.nextCursor }));
  const revoke = useMutation(
    trpc.admin.invites.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.admin.invites.list.pathKey() });
        toast.success("Invite revoked");
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="grid gap-4">
      <div className="flex justify-end">
        <CreateInviteDialog />
      </div>
      <PagedList query={list} count={rows.length} empty={<EmptyState icon={Ticket} title="No invites yet" description="Create one to let someone sign up when sign-up is by invitation." />}>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>For</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((i) => (
              <TableRow key={i.id}>
                <TableCell>{i.email ?? <span className="text-muted-foreground">Anyone with the code</span>}</TableCell>
                <TableCell>{i.role}</TableCell>
                <TableCell>
                  <Badge variant={STATUS_VARIANT[i.status]}>{i.status}</Badge>
                </TableCell>
                <TableCell className="text-sm text-muted-foreground">{new Date(i.expiresAt).toLocaleString()}</TableCell>
                <TableCell className="text-right">
                  {i.status === "pending" ? (
                    <ConfirmButton title="Revoke this invite?" description="The code stops working at once." confirmLabel="Revoke" onConfirm={() => revoke.mutate({ id: i.id })}>
                      Revoke
                    </ConfirmButton>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
