// Files in a slot's home: merged into the slots router as slots.files.*. The raw-byte routes
// (content download/upload with Range, folder archives) are plain route handlers under
// src/app/api/v1/slots/[id]/files/ (content, archive).
import { z } from "zod";
import { FileDeleteInput, FileEntry, FileList, FileMkdirInput, FileMoveInput, FilePathInput } from "@/lib/schemas/files";
import { deleteSlotFile, listSlotFiles, makeSlotDirectory, moveSlotFile, statSlotFile } from "@/server/services/files/manage-files";
import { createTRPCRouter, protectedProcedure, serviceContext, writerProcedure } from "../trpc";

const tags = ["files"];

export const slotFilesProcedures = {
  files: createTRPCRouter({
    list: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/slots/{id}/files", tags, summary: "List a folder of the slot's home (running or stopped); path defaults to / (the home)" } })
      .input(FilePathInput)
      .output(FileList)
      .query(({ ctx, input }) => listSlotFiles(serviceContext(ctx), input)),

    stat: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/slots/{id}/files/stat", tags, summary: "One file or folder: its type, size and time (a link is described, not followed)" } })
      .input(FilePathInput)
      .output(FileEntry)
      .query(({ ctx, input }) => statSlotFile(serviceContext(ctx), input)),

    mkdir: writerProcedure
      .meta({ openapi: { method: "POST", path: "/slots/{id}/files/mkdir", tags, summary: "Make a folder, with any missing parents", successDescription: "201: the folder (also when it already existed)" } })
      .input(FileMkdirInput)
      .output(FileEntry)
      .mutation(async ({ ctx, input }) => {
        const entry = await makeSlotDirectory(serviceContext(ctx), input);
        ctx.response.status = 201;
        return entry;
      }),

    move: writerProcedure
      .meta({ openapi: { method: "POST", path: "/slots/{id}/files/move", tags, summary: "Rename or move a file or folder within the home" } })
      .input(FileMoveInput)
      .output(FileEntry)
      .mutation(({ ctx, input }) => moveSlotFile(serviceContext(ctx), input)),

    delete: writerProcedure
      .meta({ openapi: { method: "DELETE", path: "/slots/{id}/files", tags, summary: "Delete a file or link; a folder only with recursive=true", successDescription: "204: deleted" } })
      .input(FileDeleteInput)
      .output(z.void())
      .mutation(async ({ ctx, input }) => {
        await deleteSlotFile(serviceContext(ctx), input);
        ctx.response.status = 204;
      }),
  }),
};
