import { describe, expect, it } from "vitest";
import type { BerthEvent } from "@/lib/schemas/events";
import { describeEvent, mergeActivity } from "./activity-text";

const ev = (id: string, type: BerthEvent["type"], data: Record<string, unknown>): BerthEvent => ({ id, type, timestamp: "2026-01-01T00:00:00.000Z", data });
const slot = { id: "slt_1", name: "web" };

describe("activity lines", () => {
  it("says what happened in a sentence, linking the slot while it exists", () => {
    expect(describeEvent(ev("1", "slot.started", { slot }))).toEqual({ text: "Slot “web” started", tone: "success", slot });
    expect(describeEvent(ev("2", "slot.stopped", { slot, reason: "oom" })).text).toBe("Slot “web” ran out of memory and stopped");
    expect(describeEvent(ev("3", "slot.idle_stopped", { slot, reason: "max_uptime" })).text).toContain("maximum uptime");
    expect(describeEvent(ev("4", "slot.deleted", { slot })).slot).toBeNull();
    expect(describeEvent(ev("5", "command.finished", { slot, command: { id: "exe_1", status: "exited", exitCode: 0, durationMs: 3, timedOut: false } }))).toMatchObject({
      text: "A command in “web” exited with 0",
      tone: "success",
    });
    expect(describeEvent(ev("6", "file.uploaded", { slot, path: "/a.txt", size: 2048 })).text).toBe("Uploaded /a.txt (2.0 KiB) to “web”");
    expect(describeEvent(ev("7", "quota.exceeded", { limit: "slots", message: "Your free plan allows 2 slots." })).text).toBe("Refused (slots limit): Your free plan allows 2 slots.");
  });

  it("merges the listed and the live events by id, newest first", () => {
    const a = ev("a", "slot.created", { slot: { ...slot, templateId: "t" } });
    const b = ev("b", "slot.started", { slot });
    const c = ev("c", "slot.stopped", { slot, reason: "requested" });
    expect(mergeActivity([a, b], [b, c], 10).map((e) => e.id)).toEqual(["c", "b", "a"]);
    expect(mergeActivity([a, b], [c], 2).map((e) => e.id)).toEqual(["c", "b"]);
  });
});
