"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTheme } from "next-themes";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { TERMINAL_FONT_SIZE, TERMINAL_FONTS, type Preferences } from "@/lib/schemas/preferences";
import { Field } from "@/components/auth/field";
import { TemplateSelect } from "@/components/slots/template-select";
import { usePreferences } from "./use-preferences";
import { ErrorState } from "@/components/error-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";

const PLATFORM_DEFAULT = "platform-default";

/** Theme, terminal font and size, default template; the theme applies as soon as it is saved. */
export function PreferencesForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { setTheme } = useTheme();
  const prefs = usePreferences();
  const [draft, setDraft] = useState<Partial<Preferences>>({});
  const update = useMutation(
    trpc.me.preferences.update.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.me.preferences.get.queryKey(), data);
        setTheme(data.theme);
        setDraft({});
        toast.success("Preferences saved");
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );
  if (prefs.isPending) return <Skeleton className="h-72 w-full" />;
  if (prefs.isError) return <ErrorState message={errorMessage(prefs.error)} onRetry={() => void prefs.refetch()} />;
  const current = { ...prefs.data, ...draft };
  const fields = fieldErrors(update.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    update.mutate(draft);
  }

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate>
        <CardHeader>
          <CardTitle>Preferences</CardTitle>
          <CardDescription>How the dashboard looks for you, on every device you sign in from.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 py-6">
          <div className="grid gap-1.5">
            <Label htmlFor="theme">Theme</Label>
            <Select value={current.theme} onValueChange={(v) => setDraft((d) => ({ ...d, theme: v as Preferences["theme"] }))}>
              <SelectTrigger id="theme" aria-label="Theme">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="system">This device's setting</SelectItem>
                <SelectItem value="light">Light</SelectItem>
                <SelectItem value="dark">Dark</SelectItem>
              </SelectContent>
            </Select>
          </div>
          <div className="grid grid-cols-[1fr_8rem] gap-3">
            <div className="grid gap-1.5">
              <Label htmlFor="terminalFontFamily">Terminal font</Label>
              <Select value={current.terminalFontFamily} onValueChange={(v) => setDraft((d) => ({ ...d, terminalFontFamily: v as Preferences["terminalFontFamily"] }))}>
                <SelectTrigger id="terminalFontFamily" aria-label="Terminal font">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {TERMINAL_FONTS.map((f) => (
                    <SelectItem key={f} value={f}>
                      {f}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <Field
              id="terminalFontSize"
              label="Size"
              type="number"
              min={TERMINAL_FONT_SIZE.min}
              max={TERMINAL_FONT_SIZE.max}
              value={current.terminalFontSize}
              onChange={(e) => setDraft((d) => ({ ...d, terminalFontSize: Number(e.target.value) }))}
              error={fields.terminalFontSize?.[0]}
            />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="defaultTemplateId">Default template for new slots</Label>
            <TemplateSelect
              id="defaultTemplateId"
              label="Default template"
              value={current.defaultTemplateId ?? PLATFORM_DEFAULT}
              onValueChange={(v) => setDraft((d) => ({ ...d, defaultTemplateId: v === PLATFORM_DEFAULT ? null : v }))}
              first={<SelectItem value={PLATFORM_DEFAULT}>The platform&apos;s default</SelectItem>}
            />
            {fields.defaultTemplateId ? <p className="text-sm text-destructive">{fields.defaultTemplateId[0]}</p> : null}
          </div>
        </CardContent>
        <CardFooter className="justify-end">
          <Button type="submit" disabled={update.isPending || Object.keys(draft).length === 0}>
            {update.isPending ? <Spinner label="Saving" /> : null}
            Save
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
