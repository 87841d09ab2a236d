// The environment a slot gets from its secrets, read fresh from the database at each start (for its
// main process) and each time a terminal or exec session opens. Order (later wins): the user's variables, the slot's
// provider credentials, the slot's own variables — the most specific statement wins.
import { CREDENTIAL_PROVIDERS, isCredentialProviderId } from "@/lib/schemas/secrets";
import { openSecretsForSlot } from "./secret-store";

const rank = (s: { slotId: string | null; kind: string }) => (s.slotId === null ? 0 : s.kind === "provider" ? 1 : 2);

/**
 * Never put the result into a container's config (Docker keeps that in clear on the host and shows
 * it in `docker inspect`): it is for an exec's Env, and for the main process through its stdin at
 * start (runtime.start's `env`, docker-mapping.ts START_WRAPPER). That is not "as long as the process" for a
 * terminal: the tmux server of a session keeps the values it started with (deleted ones too) until
 * the slot restarts. And a dockerd in debug mode logs exec-create bodies, values included.
 */
export async function secretEnvironment(userId: string, slotId: string): Promise<Record<string, string>> {
  const opened = await openSecretsForSlot(userId, slotId);
  const env: Record<string, string> = {};
  for (const s of opened.sort((a, b) => rank(a) - rank(b))) {
    if (s.kind === "env") env[s.name] = s.value;
    else if (s.slotId && isCredentialProviderId(s.name)) {
      for (const variable of CREDENTIAL_PROVIDERS[s.name].variables) env[variable] = s.value;
    }
  }
  return env;
}
