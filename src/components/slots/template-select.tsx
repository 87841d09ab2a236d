"use client";
// The templates a person may pick, as a select: the New slot dialog's and the default in Preferences.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useTRPC } from "@/lib/trpc/react";

export function TemplateSelect({
  id,
  value,
  onValueChange,
  label,
  first,
}: {
  id?: string;
  value: string | undefined;
  onValueChange: (id: string) => void;
  /** The select's accessible name. */
  label: string;
  /** Items above the templates (e.g. "the platform's default"). */
  first?: ReactNode;
}) {
  const trpc = useTRPC();
  const templates = useQuery(trpc.templates.list.queryOptions());
  return (
    <Select value={value} onValueChange={onValueChange} disabled={!templates.data}>
      <SelectTrigger id={id} aria-label={label}>
        <SelectValue placeholder="Loading templates…" />
      </SelectTrigger>
      <SelectContent>
        {first}
        {templates.data?.data.map((t) => (
          <SelectItem key={t.id} value={t.id}>
            {t.name}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
