import type { Metadata } from "next";
import { TemplatesPanel } from "@/components/admin/templates-panel";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Templates" };

export default function AdminTemplatesPage() {
  return (
    <>
      <PageHeader title="Templates" description="What slots are made from: an image, default resources, environment and command." />
      <TemplatesPanel />
    </>
  );
}
