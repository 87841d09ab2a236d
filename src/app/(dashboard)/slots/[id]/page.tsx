import type { Metadata } from "next";
import { RuntimeBanner } from "@/components/slots/runtime-banner";
import { SlotDetail } from "@/components/slots/slot-detail";

export const metadata: Metadata = { title: "Slot" };

export default async function SlotPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <RuntimeBanner />
      <SlotDetail id={id} />
    </>
  );
}
