// E2E: the production build served by server.ts (embedded PGlite in a fresh data dir), a local
// OIDC identity provider (oidc-provider), and Debian's Chromium — never a downloaded browser.
import { defineConfig } from "@playwright/test";

export const E2E_PORT = 3200;
export const OIDC_PORT = 3299;
export const ADMIN = { email: "admin@e2e.test", password: "admin-password-e2e" };

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://localhost:${E2E_PORT}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: [
    {
      command: `npx tsx e2e/support/oidc-provider.ts`,
      url: `http://127.0.0.1:${OIDC_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { OIDC_PORT: String(OIDC_PORT), OIDC_REDIRECT_URI: `http://localhost:${E2E_PORT}/api/auth/callback/oidc` },
    },
    {
      command: "node scripts/e2e-server.mjs",
      url: `http://localhost:${E2E_PORT}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      // SIGTERM (not Playwright's default SIGKILL): the server drains, and e2e-server.mjs then removes
      // the run's slots and unmounts their homes, so the checkout can be deleted afterwards.
      gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
      stdout: "ignore",
      stderr: "pipe",
      env: {
        PORT: String(E2E_PORT),
        BERTH_DATA_DIR: ".data-e2e",
        BERTH_ADMIN_EMAIL: ADMIN.email,
        BERTH_ADMIN_PASSWORD: ADMIN.password,
        BERTH_OIDC_ISSUER: `http://127.0.0.1:${OIDC_PORT}`,
        BERTH_OIDC_ID: "berth-e2e",
        BERTH_OIDC_SECRET: "berth-e2e-oidc-client-secret",
        BERTH_OIDC_NAME: "Test IdP",
        LOG_LEVEL: "warn",
        NEXT_TELEMETRY_DISABLED: "1",
        // The webhook test's receiver listens on 127.0.0.1, which Berth refuses by default.
        BERTH_WEBHOOKS_ALLOW_PRIVATE: "1",
        // Every person the specs sign up and in comes from 127.0.0.1: the per-IP sign-in budget (30 a
        // minute, meant for one client) would throttle the suite, not a guesser. The limits themselves
        // are tested with small budgets in rate-limit.int.test.ts and sign-in-budget.int.test.ts.
        BERTH_RATE_LIMIT_AUTH_PER_MINUTE: "600",
      },
    },
  ],
});
