// One line of the dashboard's Activity list per event: a plain sentence, and the slot it is about.
import type { BerthEvent } from "@/lib/schemas/events";

type Slot = { id: string; name: string };

function slotOf(e: BerthEvent): Slot | null {
  const s = (e.data as { slot?: Partial<Slot> }).slot;
  return s && typeof s.id === "string" && typeof s.name === "string" ? { id: s.id, name: s.name } : null;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

export type ActivityLine = { text: string; tone: "default" | "success" | "warning" | "error"; slot: Slot | null };

export function describeEvent(e: BerthEvent): ActivityLine {
  const slot = slotOf(e);
  const name = slot ? `“${slot.name}”` : "A slot";
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case "slot.created":
      return { text: `Slot ${name} created`, tone: "default", slot };
    case "slot.started":
      return { text: `Slot ${name} started`, tone: "success", slot };
    case "slot.stopped":
      return d.reason === "oom"
        ? { text: `Slot ${name} ran out of memory and stopped`, tone: "error", slot }
        : d.reason === "exited"
          ? { text: `Slot ${name} stopped: its main process exited`, tone: "warning", slot }
          : { text: `Slot ${name} stopped`, tone: "default", slot };
    case "slot.idle_stopped":
      return { text: `Slot ${name} stopped by auto-stop (${d.reason === "max_uptime" ? "maximum uptime reached" : "idle"})`, tone: "warning", slot };
    case "slot.deleted":
      return { text: `Slot ${name} deleted`, tone: "default", slot: null };
    case "slot.error":
      return { text: `Slot ${name}: ${str(d.action) || "an action"} failed${str(d.reason) ? ` — ${str(d.reason)}` : ""}`, tone: "error", slot };
    case "quota.exceeded":
      return { text: `Refused (${str(d.limit)} limit): ${str(d.message)}`, tone: "warning", slot: null };
    case "command.finished": {
      const c = (d.command ?? {}) as { status?: string; exitCode?: number | null };
      const how = c.status === "exited" ? `exited with ${c.exitCode ?? "?"}` : c.status === "timed_out" ? "timed out" : c.status === "cancelled" ? "was cancelled" : "failed";
      return { text: `A command in ${name} ${how}`, tone: c.status === "exited" && c.exitCode === 0 ? "success" : "warning", slot };
    }
    case "file.uploaded":
      return { text: `Uploaded ${str(d.path)} (${bytes(Number(d.size) || 0)}) to ${name}`, tone: "default", slot };
    case "webhook.disabled":
      return { text: `Webhook ${str((d.webhook as { url?: string } | undefined)?.url)} disabled: ${str(d.reason)}`, tone: "error", slot: null };
    case "webhook.test":
      return { text: `Test event for webhook ${str((d.webhook as { url?: string } | undefined)?.url)}`, tone: "default", slot: null };
    default:
      return { text: e.type, tone: "default", slot };
  }
}

/** The list shown: both sources merged by id, newest first, at most `max`. */
export function mergeActivity(listed: readonly BerthEvent[], live: readonly BerthEvent[], max: number): BerthEvent[] {
  const byId = new Map<string, BerthEvent>();
  for (const e of [...listed, ...live]) byId.set(e.id, e);
  // Listed and live are each oldest first, and live ones come after the listed ones.
  return [...byId.values()].reverse().slice(0, max);
}
