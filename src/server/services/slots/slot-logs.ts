// Container output of a slot: the last lines, and optionally everything that follows.
import type { Readable } from "node:stream";
import { BerthError } from "@/server/errors";
import { runtime } from "@/server/runtime";
import type { ServiceContext } from "../context";
import { toBerthError } from "./runtime-errors";
import { ownedSlot } from "./slot-queries";

export async function openSlotLogs(ctx: ServiceContext, slotId: string, opts: { tail: number; follow: boolean }): Promise<Readable> {
  const slot = await ownedSlot(ctx, slotId);
  if (!slot.containerId) throw new BerthError("CONFLICT", "This slot has no container yet, so it has no output.");
  try {
    return await runtime().logs(slot.containerId, { tail: opts.tail, follow: opts.follow });
  } catch (err) {
    throw toBerthError(err) ?? err;
  }
}
