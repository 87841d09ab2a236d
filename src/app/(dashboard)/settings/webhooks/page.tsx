import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { WebhooksPanel } from "@/components/webhooks/webhooks-panel";

export const metadata: Metadata = { title: "Webhooks" };

export default function WebhooksPage() {
  return (
    <>
      <PageHeader title="Webhooks" description="Endpoints Berth tells about your slots, commands and files, with signed deliveries you can check." />
      <div className="max-w-5xl">
        <WebhooksPanel />
      </div>
    </>
  );
}
