// A slot row as the API shows it.
import type { Slot } from "@/lib/schemas/slots";
import { slots } from "@/server/db/schema";

export type SlotRow = typeof slots.$inferSelect;

export function toSlot(row: SlotRow, autoStop?: { at: Date; reason: "idle" | "max-uptime" } | null): Slot {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    templateId: row.templateId,
    ownerId: row.ownerId,
    resources: { cpuMillicores: row.cpuMillicores, memoryMiB: row.memoryMiB, diskMiB: row.diskMiB, pids: row.pids },
    resourcesPending: row.resourcesPending,
    lastError: row.lastError,
    lastActivityAt: row.lastActivityAt.toISOString(),
    ...(autoStop !== undefined ? { autoStop: autoStop ? { at: autoStop.at.toISOString(), reason: autoStop.reason } : null } : {}),
    startedAt: row.startedAt?.toISOString() ?? null,
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
