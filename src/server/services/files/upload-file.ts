// PUT …/files/content: a file streamed into a slot's home, within the plan's per-file limit and the
// user's quota, all or nothing (the runtime writes a temporary name and renames it at the end).
import type { FileUploaded } from "@/lib/schemas/files";
import { db } from "@/server/db";
import { BerthError } from "@/server/errors";
import { runtime } from "@/server/runtime";
import { requireWriter, type ServiceContext } from "../context";
import { effectiveLimits, limitOwner } from "../slots/plan-limits";
import { keepSlotActive } from "../slots/slot-queries";
import { filesUsageBytes, reserve, reservedBytes } from "./files-quota";
import { auditedEffect } from "../audit/audited";
import { announceFileUploaded } from "../events/sources";
import { markFileActivity, pathParts, slotFiles, toFilesError } from "./slot-file-access";

const MiB = 1024 * 1024;

export async function uploadSlotFile(
  ctx: ServiceContext,
  args: { id: string; path: string; size: number; body: AsyncIterable<Uint8Array>; signal?: AbortSignal },
): Promise<FileUploaded> {
  requireWriter(ctx);
  const userId = ctx.actor!.id;
  const { target } = await slotFiles(ctx, args.id);
  const parts = pathParts(args.path);
  if (parts.length === 0) throw new BerthError("VALIDATION_ERROR", "The path names the home itself; name a file in it.", { details: { fields: { path: ["names a folder"] } } });
  const limits = await effectiveLimits(db(), userId);
  return auditedEffect(ctx, { action: "file.upload", targetType: "slot", targetId: target.slotId, details: { path: args.path, size: args.size } }, async () => {
    const maxFile = limits.maxFileMiB * MiB;
    if (args.size > maxFile) {
      throw new BerthError("PAYLOAD_TOO_LARGE", `The file is ${args.size} bytes; ${limitOwner(limits, "maxFileMiB").toLowerCase()} allows files up to ${limits.maxFileMiB} MiB.`, {
        details: { size: args.size, limitBytes: maxFile },
      });
    }
    // Reserved before measuring, so two uploads at once each see the other.
    const release = reserve(userId, args.size);
    const stopActivity = keepSlotActive(target.slotId);
    try {
      const quota = limits.filesQuotaMiB * MiB;
      // The activity mark needs nothing measured: both at once, one round trip less before the first byte.
      const [used] = await Promise.all([filesUsageBytes(userId), markFileActivity(target.slotId)]);
      if (used + reservedBytes(userId) > quota) {
        throw new BerthError("QUOTA_EXCEEDED", `This upload would take your files past the ${limits.filesQuotaMiB} MiB ${limitOwner(limits, "filesQuotaMiB").toLowerCase()} allows across all your slots (in use: ${Math.ceil(used / MiB)} MiB). Delete some files first.`, {
          details: { size: args.size, usedBytes: used, quotaBytes: quota },
        });
      }
      const written = await runtime().files.write(target, parts, args.body, { size: args.size, signal: args.signal });
      await announceFileUploaded(target.slotId, args.path, written.size);
      return { path: args.path, size: written.size };
    } catch (err) {
      throw toFilesError(err, args.path);
    } finally {
      stopActivity();
      release();
    }
  });
}
