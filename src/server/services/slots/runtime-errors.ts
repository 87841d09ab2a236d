// Runtime failures as the API tells them.
import { BerthError } from "@/server/errors";
import { runtime, RuntimeOperationError, RuntimeUnavailableError } from "@/server/runtime";

export function toBerthError(err: unknown): BerthError | null {
  if (err instanceof RuntimeUnavailableError) {
    return new BerthError("RUNTIME_UNAVAILABLE", "The container engine is not reachable right now, so slots cannot be changed. Try again shortly; other features keep working.", { cause: err });
  }
  if (err instanceof RuntimeOperationError) {
    // The runtime's refusals a person can act on (a disk too small for the files, a disk in use).
    if (err.status === 409 || err.status === 410) return new BerthError("CONFLICT", err.message, { cause: err });
    // The host is out of room, or lacks something an administrator provides (e.g. an image): nothing
    // the caller did wrong, and the message says what would fix it.
    if (err.status === 503 || err.status === 507) return new BerthError("RUNTIME_UNAVAILABLE", err.message, { cause: err });
  }
  return err instanceof BerthError ? err : null;
}

/** Refuses an action up front when the engine is down, before any intent is written. */
export async function assertRuntimeReachable(): Promise<void> {
  const rt = runtime();
  const last = lastGoodPing.get(rt);
  if (last !== undefined && Date.now() - last < PING_FRESH_MS) return;
  const ping = await rt.ping();
  if (!ping.ok) {
    lastGoodPing.delete(rt);
    throw toBerthError(new RuntimeUnavailableError(ping.message))!;
  }
  lastGoodPing.set(rt, Date.now());
}

/**
 * A reachable engine is believed for two seconds: pinging on every request cost 7–11 ms each, and
 * ~110 ms under a burst of creates (the ping queues behind the busy engine). An engine that went
 * away within that window still fails the background action, which settles the slot in error.
 */
const PING_FRESH_MS = 2_000;
const lastGoodPing = new WeakMap<object, number>();
