"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PagedList } from "@/components/paged-list";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useDebounced } from "@/components/use-debounced";
import { useTRPC } from "@/lib/trpc/react";

const OUTCOME_VARIANT = { success: "success", failure: "warning", denied: "destructive" } as const;

export function AuditTable() {
  const trpc = useTRPC();
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [outcome, setOutcome] = useState<"all" | "success" | "failure" | "denied">("all");
  const a = useDebounced(actor.trim());
  const act = useDebounced(action.trim());
  const input = { limit: 50, ...(a ? { actor: a } : {}), ...(act ? { action: act } : {}), ...(outcome !== "all" ? { outcome } : {}) };
  const list = useInfiniteQuery(trpc.admin.audit.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor }));
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Boolean(a || act || outcome !== "all");

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap gap-2">
        <Input className="w-56" aria-label="Filter by actor" placeholder="Actor email or id" value={actor} onChange={(e) => setActor(e.target.value)} />
        <Input className="w-56" aria-label="Filter by action" placeholder="Action, e.g. auth.login" value={action} onChange={(e) => setAction(e.target.value)} />
        <Select value={outcome} onValueChange={(v) => setOutcome(v as typeof outcome)}>
          <SelectTrigger className="w-40" aria-label="Filter by outcome">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value="all">All outcomes</SelectItem>
            <SelectItem value="success">Success</SelectItem>
            <SelectItem value="failure">Failure</SelectItem>
            <SelectItem value="denied">Denied</SelectItem>
          </SelectContent>
        </Select>
      </div>
      <PagedList query={list} count={rows.length} empty={<EmptyState icon={ScrollText} title="No audit entries" description={filtered ? "Nothing matches these filters." : "Changes will be recorded here."} />}>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Time</TableHead>
              <TableHead>Actor</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Target</TableHead>
              <TableHead>Outcome</TableHead>
              <TableHead>IP</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((r) => (
              <TableRow key={r.id}>
                <TableCell className="text-sm whitespace-nowrap text-muted-foreground">{new Date(r.createdAt).toLocaleString()}</TableCell>
                <TableCell className="max-w-48 truncate text-sm" title={r.actorEmail ?? undefined}>{r.actorEmail ?? <span className="text-muted-foreground">system</span>}</TableCell>
                <TableCell className="font-mono text-xs">{r.action}</TableCell>
                <TableCell className="max-w-40 truncate font-mono text-xs text-muted-foreground" title={r.targetId ?? undefined}>{r.targetId ?? "—"}</TableCell>
                <TableCell>
                  <Badge variant={OUTCOME_VARIANT[r.outcome]}>{r.outcome}</Badge>
                </TableCell>
                <TableCell className="font-mono text-xs text-muted-foreground">{r.ip ?? "—"}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedList>
    </div>
  );
}
