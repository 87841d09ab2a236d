import type { Metadata } from "next";
import { TerminalPage } from "@/components/slots/terminal/terminal-page";

export const metadata: Metadata = { title: "Terminal" };

export default async function SlotTerminalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TerminalPage id={id} />;
}
