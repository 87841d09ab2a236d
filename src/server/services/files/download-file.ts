// GET …/files/content and …/files/archive: a file (or a byte range of it) and a folder as a tar,
// streamed from the slot as they are read.
import type { Readable } from "node:stream";
import { runtime, type OpenedSlotFile } from "@/server/runtime";
import type { ServiceContext } from "../context";
import { markFileActivity, pathParts, slotFiles, toFilesError } from "./slot-file-access";

export async function openSlotFile(ctx: ServiceContext, args: { id: string; path: string; signal?: AbortSignal }): Promise<OpenedSlotFile> {
  const { target } = await slotFiles(ctx, args.id);
  const parts = pathParts(args.path);
  // Marked while the file opens rather than after: one round trip less before the first byte.
  const touched = markFileActivity(target.slotId);
  let file: OpenedSlotFile;
  try {
    file = await runtime().files.open(target, parts, { signal: args.signal });
  } catch (err) {
    await touched.catch(() => {});
    throw toFilesError(err, args.path);
  }
  try {
    await touched;
  } catch (err) {
    file.close();
    throw err;
  }
  return file;
}

export async function archiveSlotFolder(ctx: ServiceContext, args: { id: string; path: string; gzip: boolean; signal?: AbortSignal }): Promise<Readable> {
  const { target } = await slotFiles(ctx, args.id);
  const parts = pathParts(args.path);
  try {
    const stream = await runtime().files.archive(target, parts, { gzip: args.gzip, signal: args.signal });
    await markFileActivity(target.slotId);
    return stream;
  } catch (err) {
    throw toFilesError(err, args.path);
  }
}
