"use client";
// The scope checkboxes of a new API key or OAuth client: every scope with what it allows (admin only
// for administrators), and the field's error tied to the group for screen readers.
import { CheckboxField } from "@/components/admin/checkbox-field";
import { API_KEY_SCOPES, SCOPE_DESCRIPTIONS, type ApiKeyScope } from "@/lib/schemas/api-keys";

export function ScopeFieldset({
  idPrefix,
  value,
  onChange,
  isAdmin,
  error,
}: {
  /** Makes the checkboxes' ids (`${idPrefix}-${scope}`) and the error's unique on the page. */
  idPrefix: string;
  value: ApiKeyScope[];
  onChange: (scopes: ApiKeyScope[]) => void;
  isAdmin: boolean;
  error?: string;
}) {
  const errorId = `${idPrefix}-error`;
  return (
    <fieldset className="grid gap-2" aria-describedby={error ? errorId : undefined}>
      <legend className="mb-1 text-sm font-medium">Scopes</legend>
      {API_KEY_SCOPES.filter((s) => s !== "admin" || isAdmin).map((scope) => (
        <CheckboxField
          key={scope}
          id={`${idPrefix}-${scope}`}
          label={scope}
          hint={SCOPE_DESCRIPTIONS[scope]}
          checked={value.includes(scope)}
          onChange={(e) => onChange(e.target.checked ? [...value, scope] : value.filter((s) => s !== scope))}
        />
      ))}
      {error ? (
        <p id={errorId} className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
