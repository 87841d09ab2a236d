// The terminal client's pure parts: close codes (API.md), reconnect backoff, colours.
import type { ITheme } from "@xterm/xterm";

export type ConnectionState =
  | { kind: "connecting"; attempt: number }
  | { kind: "open" }
  | { kind: "reconnecting"; inMs: number; attempt: number }
  | { kind: "exited"; code: number }
  | { kind: "closed"; message: string; retry: boolean };

/** 1 s, 2 s, 4 s, 8 s, then every 15 s. */
export function backoffMs(attempt: number): number {
  return Math.min(15_000, 1_000 * 2 ** Math.max(0, attempt));
}

/** What a close code means to the person at the terminal; `final` ones are not retried on their own. */
export function describeClose(code: number): { code: number; final: boolean; message: string } {
  switch (code) {
    case 4401:
      return { code, final: true, message: "Your session ended. Sign in again to use the terminal." };
    case 4404:
      return { code, final: true, message: "This slot does not exist, or is not yours." };
    case 4409:
      return { code, final: true, message: "The slot is not running. Start it, then reconnect." };
    case 1000:
      return { code, final: true, message: "The terminal closed." };
    default:
      return { code, final: false, message: "The connection dropped." };
  }
}

export function terminalTheme(dark: boolean): ITheme {
  return dark
    ? { background: "#0b0b0f", foreground: "#e4e4e7", cursor: "#60a5fa", cursorAccent: "#0b0b0f", selectionBackground: "#1e3a8a" }
    : { background: "#ffffff", foreground: "#18181b", cursor: "#2563eb", cursorAccent: "#ffffff", selectionBackground: "#bfdbfe", white: "#a1a1aa", brightWhite: "#71717a", yellow: "#a16207", brightYellow: "#ca8a04" };
}
