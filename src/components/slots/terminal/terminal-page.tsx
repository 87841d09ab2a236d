"use client";
// /slots/{id}/terminal: the slot's shell in the page, or what to do when it is not running.
import { Plus, TerminalSquare, X } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";
import { SlotActions } from "../slot-actions";
import { SlotStatusBadge, TRANSITIONAL } from "../slot-status-badge";
import { SlotSubpage } from "../slot-subpage";
import { SlotTerminal } from "./slot-terminal";

export function TerminalPage({ id }: { id: string }) {
  // Each tab is its own tmux session in the slot; switching tabs reconnects to it (its screen is kept).
  const [sessions, setSessions] = useState<string[]>(["main"]);
  const [active, setActive] = useState("main");
  return (
    <SlotSubpage
      id={id}
      title="Terminal"
      description="A shell in the slot that keeps running when you close the page; reconnecting brings back the same screen."
      actions={(s) => <SlotStatusBadge status={s.status} />}
    >
      {(s) =>
        s.status === "running" ? (
            <div className="grid gap-2">
              <div className="flex flex-wrap items-center gap-1" role="tablist" aria-label="Terminals">
                {sessions.map((name, i) => (
                  <div key={name} className={`flex items-center rounded-md border text-sm ${name === active ? "bg-secondary" : ""}`}>
                    <button type="button" role="tab" aria-selected={name === active} className="px-3 py-1" onClick={() => setActive(name)}>
                      Terminal {i + 1}
                    </button>
                    {name !== "main" ? (
                      <button
                        type="button"
                        aria-label={`Close terminal ${i + 1} tab`}
                        title="Close the tab (its shell keeps running in the slot)"
                        className="pr-2 text-muted-foreground hover:text-foreground"
                        onClick={() => {
                          setSessions((all) => all.filter((n) => n !== name));
                          if (active === name) setActive("main");
                        }}
                      >
                        <X className="size-3.5" />
                      </button>
                    ) : null}
                  </div>
                ))}
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => {
                    const name = `t${Date.now().toString(36)}`;
                    setSessions((all) => [...all, name]);
                    setActive(name);
                  }}
                >
                  <Plus /> New terminal
                </Button>
              </div>
              <SlotTerminal key={active} slotId={s.id} session={active} />
            </div>
        ) : (
            <EmptyState
              icon={TerminalSquare}
              title={TRANSITIONAL.includes(s.status) ? `The slot is ${s.status}…` : "The slot is not running"}
              description="Start it to open its terminal."
              action={<SlotActions slot={s} />}
            />
        )
      }
    </SlotSubpage>
  );
}
