// Names, values and provider key shapes as the API and the dashboard check them.
import { describe, expect, it } from "vitest";
import { PreferencesUpdateInput } from "./preferences";
import { CredentialSetInput, EnvName, SecretValue } from "./secrets";

const firstMessage = (r: { success: boolean; error?: { issues: Array<{ message: string }> } }) => (r.success ? null : r.error!.issues[0]!.message);

describe("secret schemas", () => {
  it.each(["A", "_X", "DATABASE_URL", "lower_case", "X1", "BERTHA", "PATHS", "HOME_DIR"])("accepts the name %s", (name) => {
    expect(EnvName.safeParse(name).success).toBe(true);
  });

  it.each([
    ["", /required/],
    ["1X", /not starting with a digit/],
    ["A B", /letters, digits and _/],
    ["A=B", /letters, digits and _/],
    ["É", /letters, digits and _/],
    ["BERTH_EXEC", /reserved for Berth/],
    ["Berth_Token", /reserved for Berth/],
    ["PATH", /set by the slot itself/],
    ["TERM", /set by the slot itself/],
    ["_", /set by the slot itself/],
  ])("refuses the name %j", (name, message) => {
    expect(firstMessage(EnvName.safeParse(name))).toMatch(message);
  });

  it("counts a value's size in UTF-8 bytes and refuses NUL", () => {
    expect(SecretValue.safeParse("é".repeat(16_384)).success).toBe(true);
    expect(firstMessage(SecretValue.safeParse("é".repeat(16_385)))).toMatch(/at most 32 KiB/);
    expect(firstMessage(SecretValue.safeParse("a\0b"))).toMatch(/NUL/);
  });

  it.each([
    ["anthropic", `sk-ant-api03-${"x".repeat(80)}_-AA`],
    ["openai", `sk-proj-${"A1".repeat(40)}`],
    ["openai", `sk-${"a".repeat(48)}`],
    ["github", `ghp_${"a1B2".repeat(9)}`],
    ["github", `github_pat_${"11AAAA_".repeat(12)}`],
    ["google", `AIza${"S".repeat(35)}`],
  ] as const)("accepts a %s key of the usual shape", (provider, value) => {
    expect(CredentialSetInput.safeParse({ id: "slt_x", provider, value: ` ${value}\n` })).toMatchObject({ success: true, data: { value } });
  });

  it.each([
    ["anthropic", "sk-1234567890abcdefghijklmnop", /Anthropic API key starts with sk-ant-/],
    ["openai", "pk-1234567890abcdefghijklmnop", /OpenAI API key starts with sk-/],
    ["github", "ghx_abcdefghijklmnopqrstuvwxyz0123456789", /GitHub token starts with ghp_/],
    ["google", `AIza${"S".repeat(20)}`, /39 characters starting with AIza/],
    ["google", `AIza${"S".repeat(34)}!`, /39 characters/],
  ] as const)("refuses a %s key of the wrong shape, saying what one looks like", (provider, value, message) => {
    const r = CredentialSetInput.safeParse({ id: "slt_x", provider, value });
    expect(firstMessage(r)).toMatch(message);
    expect(firstMessage(r)).not.toContain(value);
  });

  it("takes a partial preferences update and refuses unknown fields", () => {
    expect(PreferencesUpdateInput.safeParse({ terminalFontSize: 10 }).success).toBe(true);
    expect(PreferencesUpdateInput.safeParse({ terminalFontSize: 9 }).success).toBe(false);
    expect(PreferencesUpdateInput.safeParse({ colour: "red" }).success).toBe(false);
  });
});
