import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/shell/page-header";
import { WebhookDetail } from "@/components/webhooks/webhooks-panel";

export const metadata: Metadata = { title: "Webhook" };

export default async function WebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader
        title="Webhook endpoint"
        description={id}
        actions={
          <Link href="/settings/webhooks" className="text-sm text-muted-foreground underline-offset-4 hover:underline">
            All endpoints
          </Link>
        }
      />
      <div className="max-w-5xl">
        <WebhookDetail id={id} />
      </div>
    </>
  );
}
