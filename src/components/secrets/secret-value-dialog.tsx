"use client";
import { useState, type FormEvent, type ReactNode } from "react";
import { Field } from "@/components/auth/field";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { errorMessage, fieldErrors } from "@/lib/trpc/react";

/**
 * Adds or replaces a write-only value: a name (fixed when replacing) and a password field that is
 * cleared whenever the dialog closes, so a value never lingers in the page.
 */
export function SecretValueDialog({
  trigger,
  title,
  description,
  fixedName,
  nameLabel = "Name",
  valueLabel = "Value",
  valueHint,
  submitLabel = "Save",
  onSubmit,
  error,
  pending,
  onReset,
}: {
  trigger: ReactNode;
  title: string;
  description: string;
  /** Replacing: the name is shown and cannot change. Adding: undefined. */
  fixedName?: string;
  nameLabel?: string;
  valueLabel?: string;
  valueHint?: string;
  submitLabel?: string;
  onSubmit: (name: string, value: string) => Promise<unknown>;
  error: unknown;
  pending: boolean;
  onReset: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(fixedName ?? "");
  const [value, setValue] = useState("");
  const fields = fieldErrors(error);

  function change(next: boolean) {
    setOpen(next);
    if (!next) {
      setValue("");
      setName(fixedName ?? "");
      onReset();
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await onSubmit(fixedName ?? name.trim(), value);
      change(false);
    } catch {
      // The mutation's error is shown below.
    }
  }

  const otherError = error && !fields.name && !fields.value ? errorMessage(error) : null;
  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent>
        <form onSubmit={(e) => void submit(e)} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{title}</DialogTitle>
            <DialogDescription>{description}</DialogDescription>
          </DialogHeader>
          {fixedName ? null : (
            <Field id="secret-name" label={nameLabel} value={name} onChange={(e) => setName(e.target.value)} placeholder="DATABASE_URL" autoComplete="off" spellCheck={false} className="font-mono" error={fields.name?.[0]} />
          )}
          <Field
            id="secret-value"
            label={fixedName ? `${valueLabel} of ${fixedName}` : valueLabel}
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="new-password"
            spellCheck={false}
            className="font-mono"
            hint={valueHint ?? "Write-only: it is encrypted and never shown again."}
            error={fields.value?.[0]}
          />
          {otherError ? <p className="text-sm text-destructive">{otherError}</p> : null}
          <DialogFooter>
            <Button type="submit" disabled={pending || !value || (!fixedName && !name.trim())}>
              {pending ? <Spinner label="Saving" /> : null}
              {submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
