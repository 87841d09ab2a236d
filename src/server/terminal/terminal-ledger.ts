// The terminal_attachments rows: one per open socket's tmux client, under this process's lease.
// A clean close deletes its row; rows of a lapsed lease are ended by services/slots/process-sweep.ts.
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { terminalAttachments } from "@/server/db/schema";
import { processLease } from "@/server/process-lease";
import type { AttachmentLedger } from "./terminal-session";

export const attachmentLedger: AttachmentLedger = {
  async opened(marker, slotId) {
    const processId = await processLease();
    await db().insert(terminalAttachments).values({ marker, slotId, processId });
  },
  async closed(marker) {
    await db().delete(terminalAttachments).where(eq(terminalAttachments.marker, marker));
  },
};
