import type { Metadata } from "next";
import { ProfileForm } from "@/components/account/profile-form";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Profile" };

export default function ProfilePage() {
  return (
    <>
      <PageHeader title="Profile" />
      <div className="max-w-xl">
        <ProfileForm />
      </div>
    </>
  );
}
