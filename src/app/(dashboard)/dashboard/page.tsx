import type { Metadata } from "next";
import { Overview } from "@/components/account/overview";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Overview" };

export default function DashboardPage() {
  return (
    <>
      <PageHeader title="Overview" description="Your account at a glance." />
      <Overview />
    </>
  );
}
