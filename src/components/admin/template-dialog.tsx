"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { Field } from "@/components/auth/field";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";
import { Textarea } from "@/components/ui/textarea";
import type { AdminTemplate } from "@/lib/schemas/admin-catalog";
import { errorMessage, fieldErrors, useTRPC } from "@/lib/trpc/react";
import { CheckboxField } from "./checkbox-field";
import { formatEnv, numberField, parseArgs, parseEnv } from "./form-values";

const SHOWN_FIELDS = /^(name|slug|image|description|resources\.|env|startCommand)/;

/** The first message among fields whose key is `key` or starts with `key.` (e.g. env.NAME). */
function firstError(fields: Record<string, string[]>, key: string): string | undefined {
  const hit = Object.entries(fields).find(([k]) => k === key || k.startsWith(`${key}.`));
  return hit?.[1][0];
}

function imageWarning(t: AdminTemplate): void {
  if (t.imageAvailable === false) {
    toast.warning(`The engine does not have ${t.image} yet`, { description: "Slots from this template cannot start until the image is built (npm run images) or loaded." });
  }
}

/** Create (no `template`) or edit a template. */
export function TemplateDialog({ template, trigger }: { template?: AdminTemplate; trigger: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [envError, setEnvError] = useState<string>();
  const onSuccess = (t: AdminTemplate) => {
    void queryClient.invalidateQueries({ queryKey: trpc.admin.templates.pathKey() });
    setOpen(false);
    toast.success(template ? `${t.name} saved` : `${t.name} created`);
    imageWarning(t);
  };
  const create = useMutation(trpc.admin.templates.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.admin.templates.update.mutationOptions({ onSuccess }));
  const mutation = template ? update : create;
  const fields = fieldErrors(mutation.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const env = parseEnv(String(form.get("templateEnv") ?? ""));
    if ("error" in env) {
      setEnvError(env.error);
      return;
    }
    setEnvError(undefined);
    const values = {
      slug: String(form.get("templateSlug") ?? ""),
      name: String(form.get("templateName") ?? ""),
      description: String(form.get("templateDescription") ?? ""),
      image: String(form.get("templateImage") ?? ""),
      env: env.env,
      startCommand: parseArgs(String(form.get("templateCommand") ?? "")),
      // A disabled checkbox is not in the form data: the default template is always enabled.
      enabled: template?.isDefault ? true : form.get("templateEnabled") === "on",
    };
    const resources = { cpuMillicores: numberField(form, "templateCpu"), memoryMiB: numberField(form, "templateMemory"), diskMiB: numberField(form, "templateDisk") };
    const isDefault = form.get("templateDefault") === "on";
    if (template) {
      update.mutate({ id: template.id, ...values, resources, ...(isDefault && !template.isDefault ? { isDefault: true } : {}) });
    } else {
      // Missing numbers go as they are: the server names each one that is required.
      create.mutate({ ...values, resources: resources as { cpuMillicores: number; memoryMiB: number; diskMiB: number }, isDefault });
    }
  }

  // Errors no field below shows (CONFLICT, an unknown template, …) are shown above the button.
  const generalError = mutation.error && !Object.keys(fields).some((k) => SHOWN_FIELDS.test(k)) ? errorMessage(mutation.error) : undefined;

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) {
          mutation.reset();
          setEnvError(undefined);
        }
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="sm:max-w-2xl">
        <form onSubmit={onSubmit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{template ? `Edit ${template.name}` : "New template"}</DialogTitle>
            <DialogDescription>
              {template ? "Changes apply to new slots; existing slots keep their resources." : "What a slot is made from: an image on this engine, default resources, environment and command."}
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="templateName" label="Name" required defaultValue={template?.name} placeholder="Python workspace" error={fields.name?.[0]} />
            <Field id="templateSlug" label="Slug" required defaultValue={template?.slug} placeholder="python" hint="Lower-case letters, digits and dashes" error={fields.slug?.[0]} />
          </div>
          <Field id="templateImage" label="Image" required defaultValue={template?.image} placeholder="berth/workspace:latest" className="font-mono" error={fields.image?.[0]} />
          <div className="grid gap-1.5">
            <Label htmlFor="templateDescription">Description</Label>
            <Textarea id="templateDescription" name="templateDescription" defaultValue={template?.description} placeholder="What people get, shown in the create dialog" aria-invalid={fields.description ? true : undefined} />
            {fields.description ? <p className="text-sm text-destructive">{fields.description[0]}</p> : null}
          </div>
          <div className="grid grid-cols-3 gap-3">
            <Field id="templateCpu" label="CPU (millicores)" type="number" min={100} step={100} required defaultValue={template?.resources.cpuMillicores ?? 1000} error={firstError(fields, "resources.cpuMillicores")} />
            <Field id="templateMemory" label="Memory (MiB)" type="number" min={64} step={64} required defaultValue={template?.resources.memoryMiB ?? 1024} error={firstError(fields, "resources.memoryMiB")} />
            <Field id="templateDisk" label="Disk (MiB)" type="number" min={64} step={64} required defaultValue={template?.resources.diskMiB ?? 2048} error={firstError(fields, "resources.diskMiB")} />
          </div>
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label htmlFor="templateEnv">Environment</Label>
              <Textarea
                id="templateEnv"
                name="templateEnv"
                className="font-mono text-xs"
                defaultValue={template ? formatEnv(template.env) : ""}
                placeholder={"LANG=C.UTF-8\nEDITOR=nano"}
                aria-invalid={envError || firstError(fields, "env") ? true : undefined}
              />
              {envError || firstError(fields, "env") ? (
                <p className="text-sm text-destructive">{envError ?? firstError(fields, "env")}</p>
              ) : (
                <p className="text-xs text-muted-foreground">One KEY=value per line. Not for secrets.</p>
              )}
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="templateCommand">Start command</Label>
              <Textarea id="templateCommand" name="templateCommand" className="font-mono text-xs" defaultValue={template?.startCommand?.join("\n") ?? ""} placeholder={"sleep\ninfinity"} aria-invalid={firstError(fields, "startCommand") ? true : undefined} />
              {firstError(fields, "startCommand") ? (
                <p className="text-sm text-destructive">{firstError(fields, "startCommand")}</p>
              ) : (
                <p className="text-xs text-muted-foreground">One argument per line; empty keeps the image&apos;s own command.</p>
              )}
            </div>
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <CheckboxField
              id="templateEnabled"
              label="Enabled"
              defaultChecked={template?.enabled ?? true}
              disabled={template?.isDefault}
              hint={template?.isDefault ? "The default template stays enabled." : "Disabled templates are hidden from the create dialog."}
            />
            <CheckboxField
              id="templateDefault"
              label="Default template"
              defaultChecked={template?.isDefault ?? false}
              disabled={template?.isDefault}
              hint={template?.isDefault ? "To change the default, make another template the default." : "Used when a slot is created without choosing one."}
            />
          </div>
          {generalError ? <p className="text-sm text-destructive">{generalError}</p> : null}
          <DialogFooter>
            <Button type="submit" disabled={mutation.isPending}>
              {mutation.isPending ? <Spinner label="Saving" /> : null}
              {template ? "Save template" : "Create template"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
