import type { Metadata } from "next";
import { FileManager } from "@/components/files/file-manager";
import { parseSlotPath } from "@/lib/schemas/files";

export const metadata: Metadata = { title: "Files" };

export default async function SlotFilesPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ path?: string | string[] }> }) {
  const { id } = await params;
  const raw = (await searchParams).path;
  // A path the API would refuse shows the home instead of an error page.
  const parsed = parseSlotPath(typeof raw === "string" ? raw : "/");
  return <FileManager key={parsed.ok ? parsed.path : "/"} slotId={id} path={parsed.ok ? parsed.path : "/"} />;
}
