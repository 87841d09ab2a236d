"use client";
import { EnvVarsCard } from "./env-vars-card";
import { RestartNotice } from "./restart-notice";

/** Your variables for every slot of yours. */
export function UserEnvManager() {
  return (
    <>
      <RestartNotice />
      <EnvVarsCard
        slotId={null}
        title="Variables for all your slots"
        description="A slot's own variable of the same name wins (set those on the slot's Environment page)."
        addDescription="A POSIX name (letters, digits and _) and its value, for every slot of yours."
        emptyDescription="Variables here reach every slot of yours, e.g. EDITOR or a personal token."
      />
    </>
  );
}
