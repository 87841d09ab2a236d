"use client";
import Link from "next/link";
import { SlotSubpage } from "@/components/slots/slot-subpage";
import { CredentialsSection } from "./credentials-section";
import { EnvVarsCard } from "./env-vars-card";
import { RestartNotice } from "./restart-notice";

/** A slot's environment page: its variables (and yours that apply), its provider credentials. */
export function SlotEnvManager({ id }: { id: string }) {
  return (
    <SlotSubpage id={id} title="Environment" description="Encrypted variables and provider keys, given to this slot when it starts and to its terminals and commands.">
      {() => (
        <>
          <RestartNotice />
          <div className="grid gap-6">
            <EnvVarsCard
              slotId={id}
              title="Variables"
              description={
                <>
                  This slot&apos;s own variables win over <Link className="underline" href="/settings/env">yours for all slots</Link> of the same name.
                </>
              }
              addDescription="A POSIX name (letters, digits and _) and its value, for this slot only."
              emptyDescription="Add API tokens, database URLs or settings your code reads from the environment."
            />
            <CredentialsSection slotId={id} />
          </div>
        </>
      )}
    </SlotSubpage>
  );
}
