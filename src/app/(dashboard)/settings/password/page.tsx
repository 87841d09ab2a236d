import type { Metadata } from "next";
import { PasswordForm } from "@/components/account/password-form";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Password" };

export default function PasswordPage() {
  return (
    <>
      <PageHeader title="Password" />
      <div className="max-w-xl">
        <PasswordForm />
      </div>
    </>
  );
}
