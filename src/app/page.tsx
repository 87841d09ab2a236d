import { redirect } from "next/navigation";
import { currentActor } from "@/server/auth/current-user";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await currentActor()) ? "/dashboard" : "/sign-in");
}
