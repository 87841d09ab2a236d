// A slot's encrypted environment variables and provider credentials, merged into the slots router
// as slots.env.* and slots.credentials.*. Values are write-only: every output is names and masks.
import { z } from "zod";
import { Empty } from "@/lib/schemas/common";
import { SlotId } from "@/lib/schemas/slots";
import { Credential, CredentialList, CredentialProviderList, CredentialRef, CredentialSetInput, EnvVar, EnvVarList, SlotEnvRef, SlotEnvSetInput } from "@/lib/schemas/secrets";
import { credentialProviders, deleteSlotCredential, listSlotCredentials, setSlotCredential } from "@/server/services/secrets/credentials";
import { deleteSlotEnv, listSlotEnv, setSlotEnv } from "@/server/services/secrets/env-vars";
import { createTRPCRouter, protectedProcedure, serviceContext, writerProcedure } from "../trpc";

const tags = ["secrets"];
const restartNote = "Terminals and commands opened from now on see it; a running slot's open shells keep their old environment (restart the slot).";

export const slotSecretsProcedures = {
  env: createTRPCRouter({
    list: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/slots/{id}/env", tags, summary: "The slot's environment variables and yours that apply to it: names and masked hints, never values" } })
      .input(SlotId)
      .output(EnvVarList)
      .query(({ ctx, input }) => listSlotEnv(serviceContext(ctx), input.id)),

    set: writerProcedure
      .meta({ openapi: { method: "PUT", path: "/slots/{id}/env/{name}", tags, summary: `Set (or replace) an encrypted variable of this slot. ${restartNote}`, successDescription: "201 when created, 200 when replaced" } })
      .input(SlotEnvSetInput)
      .output(EnvVar)
      .mutation(async ({ ctx, input }) => {
        const { variable, created } = await setSlotEnv(serviceContext(ctx), input);
        ctx.response.status = created ? 201 : 200;
        if (created) ctx.response.headers.Location = `/api/v1/slots/${input.id}/env/${input.name}`;
        return variable;
      }),

    delete: writerProcedure
      .meta({ openapi: { method: "DELETE", path: "/slots/{id}/env/{name}", tags, summary: "Delete a variable of this slot", successDescription: "204: deleted" } })
      .input(SlotEnvRef)
      .output(z.void())
      .mutation(async ({ ctx, input }) => {
        await deleteSlotEnv(serviceContext(ctx), input);
        ctx.response.status = 204;
      }),
  }),

  credentials: createTRPCRouter({
    providers: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/credential-providers", tags, summary: "The providers a slot can hold a credential for, with the variables each is exposed as" } })
      .input(Empty.optional())
      .output(CredentialProviderList)
      .query(() => credentialProviders()),

    list: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/slots/{id}/credentials", tags, summary: "The slot's provider credentials: provider, variables and a masked hint, never the key" } })
      .input(SlotId)
      .output(CredentialList)
      .query(({ ctx, input }) => listSlotCredentials(serviceContext(ctx), input.id)),

    set: writerProcedure
      .meta({ openapi: { method: "PUT", path: "/slots/{id}/credentials/{provider}", tags, summary: `Set (or replace) a provider's key for this slot, checked for shape. ${restartNote}`, successDescription: "201 when created, 200 when replaced" } })
      .input(CredentialSetInput)
      .output(Credential)
      .mutation(async ({ ctx, input }) => {
        const { credential, created } = await setSlotCredential(serviceContext(ctx), input);
        ctx.response.status = created ? 201 : 200;
        if (created) ctx.response.headers.Location = `/api/v1/slots/${input.id}/credentials/${input.provider}`;
        return credential;
      }),

    delete: writerProcedure
      .meta({ openapi: { method: "DELETE", path: "/slots/{id}/credentials/{provider}", tags, summary: "Delete a provider's key from this slot", successDescription: "204: deleted" } })
      .input(CredentialRef)
      .output(z.void())
      .mutation(async ({ ctx, input }) => {
        await deleteSlotCredential(serviceContext(ctx), input);
        ctx.response.status = 204;
      }),
  }),
};
