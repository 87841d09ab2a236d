// The dashboard's password sign-in (Auth.js credentials, through its real route handler) draws on
// the same strict per-IP budget as POST /auth/token: past it, the form is refused with
// `rate_limited` even with the right password, and another address still signs in.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/auth/[...nextauth]/route";
import { CLIENT_IP_HEADER } from "@/server/request-meta";
import { makeUser, PASSWORD } from "@/test/factories";
import { setupTestDatabase } from "@/test/integration-db";

setupTestDatabase({ BERTH_RATE_LIMIT_AUTH_PER_MINUTE: "3", BERTH_URL: "http://berth.test" });

const BASE = "http://berth.test/api/auth";

/** One sign-in through the form's flow: the CSRF token, then the credentials callback. Answers where it redirects. */
async function signInFrom(ip: string, email: string, password: string): Promise<string> {
  const csrf = await GET(new NextRequest(`${BASE}/csrf`, { headers: { [CLIENT_IP_HEADER]: ip } }));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await POST(
    new NextRequest(`${BASE}/callback/credentials`, {
      method: "POST",
      headers: { [CLIENT_IP_HEADER]: ip, cookie, "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
      body: new URLSearchParams({ csrfToken, email, password, callbackUrl: "http://berth.test/" }).toString(),
    }),
  );
  const json = (await res.json().catch(() => null)) as { url?: string } | null;
  return json?.url ?? res.headers.get("location") ?? "";
}

describe("dashboard sign-in", () => {
  it("is held to the strict per-IP budget, even with the right password", async () => {
    const user = await makeUser("user");
    const ip = "198.51.100.77";
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const url = await signInFrom(ip, user.email, PASSWORD);
      outcomes.push(/code=rate_limited/.test(url) ? "rate_limited" : /error=/.test(url) ? `error: ${url}` : "signed in");
    }
    expect(outcomes).toEqual(["signed in", "signed in", "signed in", "rate_limited"]);
    expect(await signInFrom("198.51.100.78", user.email, PASSWORD)).not.toMatch(/error=/);
  });
});
