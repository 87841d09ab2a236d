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
    // The host itself is out of room: nothing the caller did wrong, and it may pass.
    if (err.status === 507) return new BerthError("RUNTIME_UNAVAILABLE", err.message, { cause: err });
  }
  return err instanceof BerthError ? err : null;
}

/** Refuses an action up front when the engine is down, before any intent is written. */
export async function assertRuntimeReachable(): Promise<void> {
  const ping = await runtime().ping();
  if (!ping.ok) throw toBerthError(new RuntimeUnavailableError(ping.message))!;
}
