// One structured logger; secrets are redacted by path so no call site can leak one by accident.
import pino from "pino";
import { env } from "./env";

const cache = globalThis as unknown as { __berthLogger?: pino.Logger };

export function logger(): pino.Logger {
  if (!cache.__berthLogger) {
    cache.__berthLogger = pino({
      level: env().LOG_LEVEL,
      base: { service: "berth" },
      redact: {
        paths: [
          "password",
          "*.password",
          "newPassword",
          "*.newPassword",
          "currentPassword",
          "*.currentPassword",
          "token",
          "*.token",
          "refreshToken",
          "*.refreshToken",
          "accessToken",
          "*.accessToken",
          "secret",
          "*.secret",
          // Secret values (env vars, provider credentials) travel as `value`.
          "value",
          "*.value",
          "headers.authorization",
          "headers.cookie",
          "*.headers.authorization",
          "*.headers.cookie",
        ],
        censor: "[redacted]",
      },
    });
  }
  return cache.__berthLogger;
}
