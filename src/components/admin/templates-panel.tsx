"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LayoutTemplate, Pencil, Plus, TriangleAlert } from "lucide-react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AdminTemplate } from "@/lib/schemas/admin-catalog";
import { errorCode, errorMessage, useTRPC } from "@/lib/trpc/react";
import { TemplateDialog } from "./template-dialog";

function ImageCell({ t }: { t: AdminTemplate }) {
  return (
    <div className="grid gap-1">
      <code className="font-mono text-xs break-all">{t.image}</code>
      {t.imageAvailable === false ? (
        <span className="flex items-center gap-1 text-xs text-destructive">
          <TriangleAlert className="size-3" aria-hidden /> Not on this engine
        </span>
      ) : t.imageAvailable === null ? (
        <span className="text-xs text-muted-foreground">Engine unreachable</span>
      ) : null}
    </div>
  );
}

export function TemplatesPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.admin.templates.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.templates.pathKey() });
  const toggle = useMutation(
    trpc.admin.templates.update.mutationOptions({
      onSuccess: (t) => {
        void refresh();
        toast.success(t.enabled ? `${t.name} is enabled` : `${t.name} is disabled`, { description: t.enabled ? "People can create slots from it again." : "It is hidden from the create dialog; existing slots keep working." });
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  const remove = useMutation(
    trpc.admin.templates.delete.mutationOptions({
      onSuccess: (_data, vars) => {
        void refresh();
        toast.success(`${rows.find((t) => t.id === vars.id)?.name ?? "The template"} is deleted`);
      },
      onError: (err, vars) => {
        const t = rows.find((x) => x.id === vars.id);
        // In use: offer what the message recommends, disabling it, right in the toast.
        const offerDisable = errorCode(err) === "CONFLICT" && t?.enabled && !t.isDefault;
        toast.error(errorMessage(err), offerDisable ? { action: { label: "Disable", onClick: () => toggle.mutate({ id: t.id, enabled: false }) } } : undefined);
      },
    }),
  );
  const rows = list.data?.data ?? [];
  const busy = toggle.isPending || remove.isPending;

  return (
    <div className="grid gap-4">
      <div className="flex justify-end">
        <TemplateDialog
          trigger={
            <Button>
              <Plus /> New template
            </Button>
          }
        />
      </div>
      <PagedList
        query={{ ...list, hasNextPage: false, isFetchingNextPage: false, fetchNextPage: () => undefined }}
        count={rows.length}
        empty={<EmptyState icon={LayoutTemplate} title="No templates" description="Create one so people can make slots." />}
      >
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Template</TableHead>
              <TableHead>Image</TableHead>
              <TableHead>Defaults</TableHead>
              <TableHead>Slots</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Actions</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((t) => (
              <TableRow key={t.id} data-testid={`template-row-${t.slug}`}>
                <TableCell className="max-w-64 whitespace-normal">
                  <div className="font-medium">{t.name}</div>
                  <div className="font-mono text-xs text-muted-foreground">{t.slug}</div>
                  {t.description ? <p className="mt-1 line-clamp-2 text-xs text-muted-foreground">{t.description}</p> : null}
                </TableCell>
                <TableCell className="max-w-56 whitespace-normal">
                  <ImageCell t={t} />
                </TableCell>
                <TableCell className="text-sm whitespace-nowrap text-muted-foreground">
                  {t.resources.cpuMillicores / 1000} CPU
                  <br />
                  {t.resources.memoryMiB} MiB · {t.resources.diskMiB} MiB disk
                </TableCell>
                <TableCell className="text-sm">{t.slots}</TableCell>
                <TableCell>
                  <div className="flex flex-col items-start gap-1">
                    {t.isDefault ? <Badge>default</Badge> : null}
                    <Badge variant={t.enabled ? "success" : "secondary"}>{t.enabled ? "enabled" : "disabled"}</Badge>
                  </div>
                </TableCell>
                <TableCell>
                  <div className="flex justify-end gap-2">
                    <TemplateDialog
                      template={t}
                      trigger={
                        <Button size="icon" variant="ghost" className="size-8" aria-label={`Edit ${t.name}`} title="Edit">
                          <Pencil />
                        </Button>
                      }
                    />
                    {t.isDefault ? null : (
                      <Button size="sm" variant="secondary" disabled={busy} onClick={() => toggle.mutate({ id: t.id, enabled: !t.enabled })}>
                        {t.enabled ? "Disable" : "Enable"}
                      </Button>
                    )}
                    {t.isDefault ? null : t.slots > 0 ? (
                      // In use: say so before anyone tries, and offer the alternative.
                      <ConfirmButton
                        title={`${t.name} is in use`}
                        description={`${t.slots} slot${t.slots === 1 ? " uses" : "s use"} this template, so it cannot be deleted. ${t.enabled ? "Disable it instead: it disappears from the create dialog and existing slots keep working." : "It is already disabled, so nobody can make new slots from it."}`}
                        confirmLabel={t.enabled ? "Disable template" : "OK"}
                        destructive={false}
                        disabled={busy}
                        onConfirm={() => (t.enabled ? toggle.mutate({ id: t.id, enabled: false }) : undefined)}
                      >
                        Delete
                      </ConfirmButton>
                    ) : (
                      <ConfirmButton
                        title={`Delete ${t.name}?`}
                        description="The template is removed for good. This cannot be undone."
                        confirmLabel="Delete template"
                        disabled={busy}
                        onConfirm={() => remove.mutate({ id: t.id })}
                      >
                        Delete
                      </ConfirmButton>
                    )}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
