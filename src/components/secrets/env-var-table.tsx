"use client";
import { Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import type { EnvVar } from "@/lib/schemas/secrets";
import { ConfirmButton } from "@/components/confirm-button";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { SecretValueDialog } from "./secret-value-dialog";

export type EnvVarActions = {
  save: (name: string, value: string) => Promise<unknown>;
  remove: (name: string) => void;
  error: unknown;
  pending: boolean;
  reset: () => void;
};

/** Variables with their masked hints; rows of the editable scope get replace and delete. */
export function EnvVarTable({ rows, editable, actions, removing }: { rows: EnvVar[]; editable: EnvVar["scope"]; actions: EnvVarActions; removing: boolean }) {
  return (
    <Table data-testid="env-vars">
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Value</TableHead>
          <TableHead className="hidden sm:table-cell">Updated</TableHead>
          <TableHead className="w-0" />
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((v) => (
          <TableRow key={`${v.scope}:${v.name}`} data-testid={`env-var-${v.scope}-${v.name}`}>
            <TableCell className="font-mono text-sm">
              {v.name}
              {/* Only a slot's list holds rows of another scope: the user's own. */}
              {v.scope !== editable ? (
                <Badge variant="outline" className="ml-2 font-sans">
                  all your slots
                </Badge>
              ) : null}
              {v.overridden ? (
                <Badge variant="warning" className="ml-2 font-sans">
                  overridden here
                </Badge>
              ) : null}
            </TableCell>
            <TableCell className="font-mono text-sm text-muted-foreground">
              {v.hint}
            </TableCell>
            <TableCell className="hidden text-xs text-muted-foreground sm:table-cell">{new Date(v.updatedAt).toLocaleString()}</TableCell>
            <TableCell>
              {v.scope === editable ? (
                <div className="flex justify-end gap-1">
                  <SecretValueDialog
                    trigger={
                      <Button variant="ghost" size="sm" aria-label={`Replace ${v.name}`}>
                        <Pencil />
                      </Button>
                    }
                    title={`Replace ${v.name}`}
                    description="The new value replaces the old one, which cannot be shown."
                    fixedName={v.name}
                    onSubmit={actions.save}
                    error={actions.error}
                    pending={actions.pending}
                    onReset={actions.reset}
                  />
                  <ConfirmButton title={`Delete ${v.name}?`} description="New commands and terminals will no longer get this variable, nor the slot after its next start." confirmLabel="Delete" onConfirm={() => actions.remove(v.name)} disabled={removing} variant="ghost">
                    <Trash2 />
                    <span className="sr-only">Delete {v.name}</span>
                  </ConfirmButton>
                </div>
              ) : (
                <Button asChild variant="link" size="sm">
                  <Link href="/settings/env">Edit</Link>
                </Button>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
