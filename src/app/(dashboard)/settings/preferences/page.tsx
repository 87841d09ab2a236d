import type { Metadata } from "next";
import { PreferencesForm } from "@/components/account/preferences-form";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Preferences" };

export default function PreferencesPage() {
  return (
    <>
      <PageHeader title="Preferences" />
      <div className="max-w-xl">
        <PreferencesForm />
      </div>
    </>
  );
}
