// Sending webhook deliveries. A pass (run by the pg-boss queue `webhooks-deliver`, every couple of
// seconds and at once when an event is queued in this process) claims due deliveries with
// FOR UPDATE SKIP LOCKED — several Berth processes never send one twice at the same time — then
// POSTs each, signed per the Standard Webhooks spec (the `standardwebhooks` package):
//   webhook-id: the event id (the same on every retry and redelivery: receivers dedupe on it)
//   webhook-timestamp: seconds; webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">
// A 2xx answer is success. Anything else (an error status, a redirect, no answer in 10 s, a refused
// target) is retried with exponential backoff (the schedule lives in the row, so it survives
// restarts and shows in the delivery log) until MAX_ATTEMPTS; a delivery that fails for good counts
// against its endpoint, which is disabled after DISABLE_AFTER such failures in a row, with a
// webhook.disabled event as the notice.
import http from "node:http";
import https from "node:https";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { Webhook as Signer } from "standardwebhooks";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { events, webhookDeliveries, webhooks } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { emitEvent } from "../events/emit";
import { assertDeliverable, BlockedTarget, guardedLookup } from "./target-guard";
import { webhookSecret } from "./webhooks";

export const MAX_ATTEMPTS = 8;
export const DISABLE_AFTER = 5;
const TIMEOUT_MS = 10_000;
/** Deliveries claimed per pass; a full pass means more may be due at once. */
export const DELIVERY_BATCH = 20;
/** While a claimed delivery is being sent, nobody else takes it; a process that died frees it after this. */
const CLAIM_MS = 60_000;

/** Seconds before retry n (1-based): base · 2^(n-1), base 10 s by default → 10 s, 20 s, … ~21 min in all. */
export function retryDelayMs(attempt: number): number {
  const base = env().BERTH_WEBHOOK_RETRY_BASE_MS;
  return base * 2 ** (attempt - 1);
}

type Outcome = { ok: boolean; status: number | null; ms: number; error: string | null };

/**
 * POSTs once. Settles on the status line (the body is not read), and the whole attempt, from
 * connecting to the status, has one deadline: a receiver that trickles bytes cannot hold the worker.
 */
function post(url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
  const started = performance.now();
  const u = new URL(url);
  const client = u.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Omit<Outcome, "ms">) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ...o, ms: Math.round(performance.now() - started) });
    };
    const req = client.request(
      u,
      { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body).toString() }, lookup: guardedLookup as never, timeout: TIMEOUT_MS },
      (res) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        done({ ok, status, error: ok ? null : status >= 300 && status < 400 ? `Redirects are not followed (${status} to ${res.headers.location ?? "?"})` : `The endpoint answered ${status}` });
        res.destroy(); // the body is not kept
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`No answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    req.on("timeout", () => req.destroy(new Error(`No answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", (err) => done({ ok: false, status: null, error: err instanceof BlockedTarget ? err.message : err.message || "Connection failed" }));
    req.end(body);
  });
}

type Claimed = {
  id: string;
  attempts: number;
  webhookId: string;
  eventId: string;
};

/** One pass: claims and sends what is due. Answers how many were sent and how many succeeded. */
export async function deliveryPass(): Promise<{ sent: number; succeeded: number }> {
  const now = new Date();
  const claimed: Claimed[] = await db().transaction(async (tx) => {
    const due = await tx
      .select({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts, webhookId: webhookDeliveries.webhookId, eventId: webhookDeliveries.eventId })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(DELIVERY_BATCH)
      .for("update", { skipLocked: true });
    if (due.length) {
      await tx
        .update(webhookDeliveries)
        .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_MS) })
        .where(inArray(webhookDeliveries.id, due.map((d) => d.id)));
    }
    return due;
  });
  if (!claimed.length) return { sent: 0, succeeded: 0 };

  const hooks = new Map((await db().select().from(webhooks).where(inArray(webhooks.id, [...new Set(claimed.map((c) => c.webhookId))]))).map((h) => [h.id, h]));
  const evts = new Map((await db().select().from(events).where(inArray(events.id, [...new Set(claimed.map((c) => c.eventId))]))).map((e) => [e.id, e]));
  let succeeded = 0;
  await Promise.all(
    claimed.map(async (d) => {
      const hook = hooks.get(d.webhookId);
      const event = evts.get(d.eventId);
      let outcome: Outcome;
      if (!hook || !hook.enabled) {
        outcome = { ok: false, status: null, ms: 0, error: "The webhook was disabled before this delivery went out" };
        await finish(d, outcome, true);
        return;
      }
      if (!event) {
        outcome = { ok: false, status: null, ms: 0, error: "The event is no longer kept" };
        await finish(d, outcome, true);
        return;
      }
      const body = JSON.stringify({ type: event.type, timestamp: event.createdAt.toISOString(), data: event.data });
      const sentAt = new Date();
      try {
        await assertDeliverable(hook.url);
        const signature = new Signer(webhookSecret(hook)).sign(event.id, sentAt, body);
        outcome = await post(
          hook.url,
          {
            "content-type": "application/json",
            "user-agent": "Berth-Webhooks/1",
            "webhook-id": event.id,
            "webhook-timestamp": Math.floor(sentAt.getTime() / 1000).toString(),
            "webhook-signature": signature,
          },
          body,
        );
      } catch (err) {
        outcome = { ok: false, status: null, ms: 0, error: err instanceof BlockedTarget ? err.message : `Could not send: ${(err as Error).message}` };
      }
      if (outcome.ok) succeeded++;
      await finish(d, outcome, false);
    }),
  );
  return { sent: claimed.length, succeeded };
}

/** Records an attempt: success, a retry later, or failure for good (which may disable the endpoint). */
async function finish(d: Claimed, o: Outcome, final: boolean): Promise<void> {
  const attempts = d.attempts + 1;
  const now = new Date();
  const givingUp = !o.ok && (final || attempts >= MAX_ATTEMPTS);
  await db().transaction(async (tx) => {
    await tx
      .update(webhookDeliveries)
      .set({
        status: o.ok ? "succeeded" : givingUp ? "failed" : "pending",
        attempts,
        responseStatus: o.status,
        responseMs: o.ms,
        error: o.error?.slice(0, 500) ?? null,
        lastAttemptAt: now,
        nextAttemptAt: o.ok || givingUp ? null : new Date(now.getTime() + retryDelayMs(attempts)),
      })
      .where(eq(webhookDeliveries.id, d.id));
    if (o.ok) {
      await tx.update(webhooks).set({ consecutiveFailures: 0 }).where(and(eq(webhooks.id, d.webhookId), sql`${webhooks.consecutiveFailures} <> 0`));
      return;
    }
    if (!givingUp || final) return;
    const [hook] = await tx
      .update(webhooks)
      .set({ consecutiveFailures: sql`${webhooks.consecutiveFailures} + 1` })
      .where(eq(webhooks.id, d.webhookId))
      .returning({ id: webhooks.id, userId: webhooks.userId, url: webhooks.url, failures: webhooks.consecutiveFailures, enabled: webhooks.enabled });
    if (hook && hook.enabled && hook.failures >= DISABLE_AFTER) {
      const reason = `Disabled after ${hook.failures} deliveries in a row failed (the last: ${o.error ?? "no answer"}).`;
      await tx.update(webhooks).set({ enabled: false, disabledReason: reason, updatedAt: now }).where(eq(webhooks.id, hook.id));
      // Its remaining deliveries stop too: they would only fail again.
      await tx.update(webhookDeliveries).set({ status: "failed", error: "The webhook was disabled", nextAttemptAt: null }).where(and(eq(webhookDeliveries.webhookId, hook.id), eq(webhookDeliveries.status, "pending")));
      await emitEvent(tx, hook.userId, "webhook.disabled", { webhook: { id: hook.id, url: hook.url }, reason });
      logger().warn({ webhookId: hook.id }, "webhook disabled after repeated failures");
    }
  });
}
