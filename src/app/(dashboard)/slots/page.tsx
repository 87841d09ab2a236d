import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { RuntimeBanner } from "@/components/slots/runtime-banner";
import { SlotsList } from "@/components/slots/slots-list";

export const metadata: Metadata = { title: "Slots" };

export default function SlotsPage() {
  return (
    <>
      <PageHeader title="Slots" description="Your isolated workspaces." />
      <RuntimeBanner />
      <SlotsList />
    </>
  );
}
