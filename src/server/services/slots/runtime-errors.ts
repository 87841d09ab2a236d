// Runtime failures as the API tells them.
import { BerthError } from "@/server/errors";
import { runtime, RuntimeUnavailableError } from "@/server/runtime";

export function toBerthError(err: unknown): BerthError | null {
  if (err instanceof RuntimeUnavailableError) {
    return new BerthError("RUNTIME_UNAVAILABLE", "The container engine is not reachable right now, so slots cannot be changed. Try again shortly; other features keep working.", { cause: err });
  }
  return err instanceof BerthError ? err : null;
}

/** Refuses an action up front when the engine is down, before any intent is written. */
export async function assertRuntimeReachable(): Promise<void> {
  const ping = await runtime().ping();
  if (!ping.ok) throw toBerthError(new RuntimeUnavailableError(ping.message))!;
}
