// What every file operation does first and last: find the caller's slot and where its files are,
// map the runtime's refusals to public errors, count the action as activity.
import { parseSlotPath } from "@/lib/schemas/files";
import { BerthError } from "@/server/errors";
import { logger } from "@/server/logger";
import { SlotFileError, type SlotFilesTarget } from "@/server/runtime";
import type { ServiceContext } from "../context";
import { toBerthError } from "../slots/runtime-errors";
import { ownedSlot, touchSlot } from "../slots/slot-queries";
import type { SlotRow } from "../slots/slot-view";

/** Statuses whose home is not there to be used: being made, or going away. */
const NO_FILES_STATUSES = new Set(["creating", "deleting", "deleted"]);

/** The caller's slot (NOT_FOUND for anyone else's) and where the runtime finds its files. */
export async function slotFiles(ctx: ServiceContext, slotId: string): Promise<{ slot: SlotRow; target: SlotFilesTarget }> {
  const slot = await ownedSlot(ctx, slotId);
  if (NO_FILES_STATUSES.has(slot.status)) {
    throw new BerthError("CONFLICT", `The slot is ${slot.status}; its files can be reached once it is stopped or running.`, { details: { status: slot.status } });
  }
  return { slot, target: filesTarget(slot) };
}

/** Where the runtime finds a slot's files. */
export function filesTarget(slot: Pick<SlotRow, "id" | "containerId" | "status">): SlotFilesTarget {
  return { slotId: slot.id, containerId: slot.containerId, running: slot.status === "running" };
}

/** The path's components (the schemas already normalized it; this refuses anything else). */
export function pathParts(path: string): string[] {
  const parsed = parseSlotPath(path);
  if (!parsed.ok) throw new BerthError("VALIDATION_ERROR", parsed.message, { details: { fields: { path: [parsed.message] } } });
  return parsed.parts;
}

/** File actions defer idle auto-stop, like commands and terminals do. */
export const markFileActivity = touchSlot;

const PUBLIC: Record<SlotFileError["code"], BerthError["code"]> = {
  NOT_FOUND: "NOT_FOUND",
  NOT_A_DIRECTORY: "CONFLICT",
  IS_A_DIRECTORY: "CONFLICT",
  EXISTS: "CONFLICT",
  OUTSIDE_HOME: "FORBIDDEN",
  PERMISSION: "FORBIDDEN",
  NO_SPACE: "QUOTA_EXCEEDED",
  INCOMPLETE: "VALIDATION_ERROR",
  INVALID: "VALIDATION_ERROR",
  NO_HOME: "CONFLICT",
  FAILED: "CONFLICT",
};

/** Any failure of a file operation as the API tells it; unknown errors are rethrown (INTERNAL, logged by the caller). */
export function toFilesError(err: unknown, path?: string): unknown {
  if (err instanceof SlotFileError) {
    if (err.code === "FAILED") logger().warn({ err }, "files: an operation failed in the slot");
    const where = path && (err.code === "NOT_FOUND" || err.code === "IS_A_DIRECTORY" || err.code === "NOT_A_DIRECTORY") ? ` (${path})` : "";
    return new BerthError(PUBLIC[err.code], `${err.message.replace(/\.$/, "")}${where}.`, { cause: err, details: path ? { path } : undefined });
  }
  return toBerthError(err) ?? err;
}
