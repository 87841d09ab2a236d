// The JSON file operations: list a folder, stat, make a folder, move/rename, delete.
import { MAX_LIST_ENTRIES, type FileEntry, type FileList } from "@/lib/schemas/files";
import { BerthError } from "@/server/errors";
import { runtime, SlotFileError, type RuntimeFileEntry } from "@/server/runtime";
import { requireWriter, type ServiceContext } from "../context";
import { auditedEffect } from "../audit/audited";
import { markFileActivity, pathParts, slotFiles, toFilesError } from "./slot-file-access";

function toFileEntry(parts: string[], e: RuntimeFileEntry): FileEntry {
  return { name: parts.at(-1) ?? "", path: `/${parts.join("/")}`, type: e.type, size: e.size, modifiedAt: e.modifiedAt.toISOString() };
}

async function mapped<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toFilesError(err, path);
  }
}

export async function listSlotFiles(ctx: ServiceContext, args: { id: string; path: string }): Promise<FileList> {
  const { target } = await slotFiles(ctx, args.id);
  const dir = pathParts(args.path);
  const { entries, total } = await mapped(args.path, () => runtime().files.list(target, dir, { limit: MAX_LIST_ENTRIES }));
  await markFileActivity(target.slotId);
  const data = entries
    .map((e) => toFileEntry([...dir, e.name], e))
    .sort((a, b) => Number(b.type === "directory") - Number(a.type === "directory") || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { data, nextCursor: null, total, truncated: total > data.length };
}

export async function statSlotFile(ctx: ServiceContext, args: { id: string; path: string }): Promise<FileEntry> {
  const { target } = await slotFiles(ctx, args.id);
  const parts = pathParts(args.path);
  const entry = await mapped(args.path, () => runtime().files.stat(target, parts));
  await markFileActivity(target.slotId);
  return toFileEntry(parts, entry);
}

export async function makeSlotDirectory(ctx: ServiceContext, args: { id: string; path: string }): Promise<FileEntry> {
  requireWriter(ctx);
  const { target } = await slotFiles(ctx, args.id);
  const parts = pathParts(args.path);
  return auditedEffect(ctx, { action: "file.mkdir", targetType: "slot", targetId: target.slotId, details: { path: args.path } }, async () => {
    const entry = await mapped(args.path, () => runtime().files.mkdir(target, parts));
    await markFileActivity(target.slotId);
    return toFileEntry(parts, entry);
  });
}

export async function moveSlotFile(ctx: ServiceContext, args: { id: string; from: string; to: string; overwrite: boolean }): Promise<FileEntry> {
  requireWriter(ctx);
  const { target } = await slotFiles(ctx, args.id);
  const from = pathParts(args.from);
  const to = pathParts(args.to);
  return auditedEffect(ctx, { action: "file.move", targetType: "slot", targetId: target.slotId, details: { from: args.from, to: args.to } }, async () => {
    const entry = await mapped(args.from, () => runtime().files.move(target, from, to, { overwrite: args.overwrite }));
    await markFileActivity(target.slotId);
    return toFileEntry(to, entry);
  });
}

export async function deleteSlotFile(ctx: ServiceContext, args: { id: string; path: string; recursive: boolean }): Promise<void> {
  requireWriter(ctx);
  const { target } = await slotFiles(ctx, args.id);
  const parts = pathParts(args.path);
  await auditedEffect(ctx, { action: "file.delete", targetType: "slot", targetId: target.slotId, details: { path: args.path, recursive: args.recursive } }, async () => {
    try {
      await runtime().files.remove(target, parts, { recursive: args.recursive });
    } catch (err) {
      if (err instanceof SlotFileError && err.code === "IS_A_DIRECTORY") {
        throw new BerthError("CONFLICT", `${args.path} is a folder; delete it with recursive=true (everything in it goes too).`, { details: { path: args.path } });
      }
      throw toFilesError(err, args.path);
    }
    await markFileActivity(target.slotId);
  });
}
