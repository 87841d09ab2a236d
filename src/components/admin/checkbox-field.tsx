import type { ComponentProps } from "react";

/** A native checkbox with its label and a hint line (the ui kit has no checkbox yet). */
export function CheckboxField({ id, label, hint, ...props }: Omit<ComponentProps<"input">, "type"> & { id: string; label: string; hint?: string }) {
  return (
    <div className="flex items-start gap-2">
      <input id={id} name={id} type="checkbox" className="mt-0.5 size-4 shrink-0 accent-primary disabled:opacity-50" aria-describedby={hint ? `${id}-hint` : undefined} {...props} />
      <div className="grid gap-0.5">
        <label htmlFor={id} className="text-sm leading-none font-medium peer-disabled:opacity-50">
          {label}
        </label>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-muted-foreground">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
