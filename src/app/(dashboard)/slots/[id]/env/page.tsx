import type { Metadata } from "next";
import { SlotEnvManager } from "@/components/secrets/slot-env-manager";

export const metadata: Metadata = { title: "Environment" };

export default async function SlotEnvPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SlotEnvManager id={id} />;
}
