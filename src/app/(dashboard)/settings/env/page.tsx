import type { Metadata } from "next";
import { UserEnvManager } from "@/components/secrets/user-env-manager";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Environment" };

export default function UserEnvPage() {
  return (
    <>
      <PageHeader title="Environment" description="Encrypted variables given to every slot of yours." />
      <div className="max-w-4xl">
        <UserEnvManager />
      </div>
    </>
  );
}
