"use client";
// The dialog of everything Berth shows only once (an API key, an OAuth client's secret, a webhook's
// signing secret, an invite code): the form that makes it; once made, what to copy now, and Done.
// However it closes (Done, Escape, a click outside), `onClose` forgets what was shown and the form's
// state, so opening it again starts afresh.
import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { errorMessage, fieldErrors } from "@/lib/trpc/react";

export type ShownOnce = { title: string; description: ReactNode; body: ReactNode };

export function OneTimeSecretDialog({
  trigger,
  shown,
  onClose,
  className,
  children,
}: {
  /** The button that opens it. */
  trigger: ReactNode;
  /** What was made, to show in place of the form (null until then). */
  shown: ShownOnce | null;
  onClose: () => void;
  className?: string;
  /** The form, with its own header and footer. */
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const close = () => {
    setOpen(false);
    onClose();
  };
  return (
    <Dialog open={open} onOpenChange={(next) => (next ? setOpen(true) : close())}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className={className}>
        {shown ? (
          <>
            <DialogHeader>
              <DialogTitle>{shown.title}</DialogTitle>
              <DialogDescription>{shown.description}</DialogDescription>
            </DialogHeader>
            {shown.body}
            <DialogFooter>
              <Button onClick={close}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          children
        )}
      </DialogContent>
    </Dialog>
  );
}

/** The end of the form in such a dialog: an error that belongs to no field, then the submit button (a spinner while it works). */
export function CreateFormFooter({ error, pending, label, pendingLabel = "Creating" }: { error: unknown; pending: boolean; label: string; pendingLabel?: string }) {
  return (
    <>
      {error && Object.keys(fieldErrors(error)).length === 0 ? <p className="text-sm text-destructive">{errorMessage(error)}</p> : null}
      <DialogFooter>
        <Button type="submit" disabled={pending}>
          {pending ? <Spinner label={pendingLabel} /> : null}
          {label}
        </Button>
      </DialogFooter>
    </>
  );
}
