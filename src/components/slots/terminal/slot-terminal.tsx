"use client";
// The slot's terminal: xterm.js over /ws/slots/{id}/terminal (API.md "Terminal WebSocket"). Each
// connection gets a single-use ticket first, so it works the same behind any cookie policy. The shell
// lives in tmux inside the slot: a dropped connection reconnects (with backoff) to the same screen.
import "@xterm/xterm/css/xterm.css";
import type { Terminal } from "@xterm/xterm";
import type { SearchAddon } from "@xterm/addon-search";
import { Maximize2, Minimize2, RotateCw, Search } from "lucide-react";
import { useTheme } from "next-themes";
import { useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { DEFAULT_PREFERENCES, type Preferences } from "@/lib/schemas/preferences";
import { usePreferences } from "@/components/account/use-preferences";
import { backoffMs, describeClose, terminalTheme, type ConnectionState } from "./terminal-protocol";

type Props = { slotId: string; session?: string };

export function SlotTerminal({ slotId, session = "main" }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const search = useRef<SearchAddon | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const reconnect = useRef<() => void>(() => undefined);
  const [state, setState] = useState<ConnectionState>({ kind: "connecting", attempt: 0 });
  const [fullScreen, setFullScreen] = useState(false);
  const [query, setQuery] = useState("");
  const { resolvedTheme } = useTheme();
  // The person's terminal font and size (Preferences), applied live when they change.
  const prefs = usePreferences();
  const font = useRef<Pick<Preferences, "terminalFontFamily" | "terminalFontSize">>(DEFAULT_PREFERENCES);
  const refit = useRef<() => void>(() => undefined);

  useEffect(() => {
    let disposed = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let observer: ResizeObserver | undefined;
    const encoder = new TextEncoder();

    (async () => {
      const [{ Terminal }, { FitAddon }, { WebLinksAddon }, { SearchAddon }, { Unicode11Addon }] = await Promise.all([
        import("@xterm/xterm"),
        import("@xterm/addon-fit"),
        import("@xterm/addon-web-links"),
        import("@xterm/addon-search"),
        import("@xterm/addon-unicode11"),
      ]);
      if (disposed || !host.current) return;
      const t = new Terminal({
        allowProposedApi: true,
        cursorBlink: true,
        fontFamily: fontStack(font.current.terminalFontFamily),
        fontSize: font.current.terminalFontSize,
        scrollback: 5000,
        theme: terminalTheme(document.documentElement.classList.contains("dark")),
      });
      const fit = new FitAddon();
      const searchAddon = new SearchAddon();
      t.loadAddon(fit);
      t.loadAddon(new WebLinksAddon());
      t.loadAddon(searchAddon);
      t.loadAddon(new Unicode11Addon());
      t.unicode.activeVersion = "11";
      t.open(host.current);
      fit.fit();
      term.current = t;
      search.current = searchAddon;

      // Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes (Ctrl+C stays an interrupt).
      t.attachCustomKeyEventHandler((e) => {
        if (e.type !== "keydown" || !e.ctrlKey || !e.shiftKey) return true;
        if (e.code === "KeyC" && t.hasSelection()) {
          void navigator.clipboard?.writeText(t.getSelection());
          return false;
        }
        if (e.code === "KeyV") {
          void navigator.clipboard?.readText().then((text) => t.paste(text));
          return false;
        }
        return true;
      });

      const send = (data: string | Uint8Array) => {
        const ws = socket.current;
        if (ws && ws.readyState === WebSocket.OPEN) ws.send(data);
      };
      t.onData((data) => send(encoder.encode(data)));
      t.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
      t.onResize(({ cols, rows }) => send(JSON.stringify({ type: "resize", cols, rows })));
      refit.current = () => {
        try {
          fit.fit();
        } catch {
          // Not laid out yet.
        }
      };
      observer = new ResizeObserver(() => refit.current());
      observer.observe(host.current);

      const connect = async () => {
        if (disposed) return;
        clearTimeout(retry);
        setState({ kind: "connecting", attempt });
        let url: string;
        try {
          const res = await fetch(`/api/v1/slots/${slotId}/terminal/tickets`, { method: "POST" });
          if (res.status === 401) {
            window.location.assign(`/sign-in?expired=1&next=${encodeURIComponent(window.location.pathname)}`);
            return;
          }
          const body = (await res.json().catch(() => null)) as { url?: string; error?: { code?: string; message?: string } } | null;
          if (!res.ok || !body?.url) {
            const code = body?.error?.code;
            if (code === "NOT_FOUND" || code === "CONFLICT" || code === "FORBIDDEN") {
              setState({ kind: "closed", message: body?.error?.message ?? "The terminal is not available.", retry: code === "CONFLICT" });
              return;
            }
            throw new Error(body?.error?.message ?? `ticket request failed (${res.status})`);
          }
          url = body.url;
        } catch {
          scheduleRetry();
          return;
        }
        if (disposed) return;
        const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
        const ws = new WebSocket(`${scheme}//${window.location.host}${url}&cols=${t.cols}&rows=${t.rows}&session=${encodeURIComponent(session)}`);
        ws.binaryType = "arraybuffer";
        socket.current = ws;
        ws.onopen = () => {
          attempt = 0;
          setState({ kind: "open" });
          t.focus();
        };
        ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
          if (typeof event.data !== "string") {
            t.write(new Uint8Array(event.data));
            return;
          }
          try {
            const msg = JSON.parse(event.data) as { type?: string; code?: number; message?: string };
            if (msg.type === "exit") setState({ kind: "exited", code: msg.code ?? 0 });
            if (msg.type === "error") setState({ kind: "closed", message: msg.message ?? "The terminal failed.", retry: true });
          } catch {
            // Not a control message: ignore.
          }
        };
        ws.onclose = (event) => {
          if (socket.current === ws) socket.current = null;
          if (disposed) return;
          const closed = describeClose(event.code);
          if (closed.final) {
            setState((s) => (s.kind === "exited" ? s : { kind: "closed", message: closed.message, retry: closed.code === 4409 }));
            return;
          }
          scheduleRetry();
        };
      };
      const scheduleRetry = () => {
        if (disposed) return;
        const wait = backoffMs(attempt++);
        setState({ kind: "reconnecting", inMs: wait, attempt });
        retry = setTimeout(() => void connect(), wait);
      };
      reconnect.current = () => {
        attempt = 0;
        socket.current?.close();
        void connect();
      };
      void connect();
    })();

    return () => {
      disposed = true;
      clearTimeout(retry);
      observer?.disconnect();
      socket.current?.close(1000);
      socket.current = null;
      term.current?.dispose();
      term.current = null;
    };
  }, [slotId, session]);

  useEffect(() => {
    if (term.current) term.current.options.theme = terminalTheme(resolvedTheme === "dark");
  }, [resolvedTheme]);

  const fontFamily = prefs.data?.terminalFontFamily;
  const fontSize = prefs.data?.terminalFontSize;
  useEffect(() => {
    if (!fontFamily || !fontSize) return;
    font.current = { terminalFontFamily: fontFamily, terminalFontSize: fontSize }; // for a terminal made later
    const t = term.current;
    if (!t) return;
    t.options.fontFamily = fontStack(fontFamily);
    t.options.fontSize = fontSize;
    refit.current();
  }, [fontFamily, fontSize]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && fullScreen) setFullScreen(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [fullScreen]);

  const find = useCallback((next: boolean) => {
    if (!query) return;
    if (next) search.current?.findNext(query);
    else search.current?.findPrevious(query);
  }, [query]);

  return (
    <div className={fullScreen ? "fixed inset-0 z-50 flex flex-col bg-background p-3" : "flex flex-col gap-2"} data-testid="terminal">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <StatusLine state={state} />
        <div className="flex items-center gap-2">
          <div className="relative">
            <Search className="pointer-events-none absolute top-2 left-2 size-4 text-muted-foreground" aria-hidden />
            <Input
              aria-label="Search the terminal"
              placeholder="Search"
              className="h-8 w-40 pl-8"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") find(!e.shiftKey);
              }}
            />
          </div>
          {state.kind !== "open" && state.kind !== "connecting" ? (
            <Button size="sm" variant="outline" onClick={() => reconnect.current()}>
              <RotateCw /> Reconnect
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" onClick={() => setFullScreen((f) => !f)} aria-label={fullScreen ? "Leave full screen" : "Full screen"}>
            {fullScreen ? <Minimize2 /> : <Maximize2 />}
          </Button>
        </div>
      </div>
      <div
        ref={host}
        className={`${fullScreen ? "flex-1" : "h-[28rem]"} overflow-hidden rounded-md border p-2`}
        style={{ background: terminalTheme(resolvedTheme === "dark").background }}
        data-testid="terminal-screen"
      />
    </div>
  );
}

function StatusLine({ state }: { state: ConnectionState }) {
  const text =
    state.kind === "open"
      ? "Connected"
      : state.kind === "connecting"
        ? "Connecting…"
        : state.kind === "reconnecting"
          ? `Connection lost — reconnecting in ${Math.ceil(state.inMs / 1000)} s (attempt ${state.attempt})`
          : state.kind === "exited"
            ? `The shell exited (code ${state.code}). Reconnect to start a new one.`
            : state.message;
  const tone = state.kind === "open" ? "text-success" : state.kind === "reconnecting" || state.kind === "closed" ? "text-warning-foreground bg-warning/20 rounded px-2 py-1" : "text-muted-foreground";
  return (
    <p className={`text-sm ${tone}`} role="status" data-testid="terminal-status">
      {text}
    </p>
  );
}

const MONOSPACE = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";

/** A chosen font first, then the system's monospace fonts for whatever it lacks. */
function fontStack(family: Preferences["terminalFontFamily"]): string {
  return family === "System monospace" ? MONOSPACE : `'${family}', ${MONOSPACE}`;
}
