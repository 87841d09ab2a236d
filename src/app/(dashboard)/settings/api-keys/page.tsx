import type { Metadata } from "next";
import { ApiKeysPanel } from "@/components/api-keys/api-keys-panel";
import { OAuthClientsPanel } from "@/components/api-keys/oauth-clients-panel";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "API keys" };

export default function ApiKeysPage() {
  return (
    <>
      <PageHeader title="API keys" description="Keys for scripts, CI jobs and the typed client: each acts as you, limited to its scopes." />
      <div className="grid max-w-5xl gap-10">
        <ApiKeysPanel />
        <OAuthClientsPanel />
      </div>
    </>
  );
}
