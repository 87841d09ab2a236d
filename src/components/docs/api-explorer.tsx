"use client";

import * as React from "react";
import {
  Check,
  ChevronRight,
  CircleAlert,
  Copy,
  Eye,
  EyeOff,
  KeyRound,
  LoaderCircle,
  Lock,
  RotateCcw,
  Search,
  Send,
  X,
} from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { copyText } from "@/lib/clipboard";
import { cn } from "@/lib/cn";

import {
  buildRequest,
  deref,
  exampleFromSchema,
  filterGroups,
  groupOperations,
  requestBodyInfo,
  requiresAuth,
  resolveBaseUrl,
  responseList,
  schemaToTree,
  schemaTypeLabel,
  type HttpMethod,
  type JsonSchema,
  type JsonSchemaOrBool,
  type OpenApiParameter,
  type OpenApiSecurityScheme,
  type OpenApiSpec,
  type OperationEntry,
  type OperationGroup,
  type SchemaNode,
} from "./openapi-schema";

/* -------------------------------------------------------------------------- */
/*  Small client-side stores                                                   */
/* -------------------------------------------------------------------------- */

const TOKEN_KEY = "berth:docs:bearer-token";
const tokenListeners = new Set<() => void>();
let memoryToken = "";

function subscribeToken(listener: () => void) {
  tokenListeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key === TOKEN_KEY) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    tokenListeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

function readToken(): string {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return memoryToken; // storage disabled: keep it for this page only
  }
}

function writeToken(value: string) {
  memoryToken = value;
  try {
    if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // ignore: falls back to memoryToken
  }
  for (const listener of tokenListeners) listener();
}

/** Bearer token kept in sessionStorage (per tab, cleared when it closes). */
function useBearerToken(): [string, (value: string) => void] {
  const token = React.useSyncExternalStore(subscribeToken, readToken, () => "");
  return [token, writeToken];
}

const noopSubscribe = () => () => {};

function useOrigin(): string {
  return React.useSyncExternalStore(
    noopSubscribe,
    () => window.location.origin,
    () => "",
  );
}

/* -------------------------------------------------------------------------- */
/*  Presentation helpers                                                       */
/* -------------------------------------------------------------------------- */

const METHOD_STYLES: Record<HttpMethod, string> = {
  get: "border-sky-500/30 bg-sky-500/15 text-sky-700 dark:text-sky-300",
  post: "border-emerald-500/30 bg-emerald-500/15 text-emerald-700 dark:text-emerald-300",
  put: "border-amber-500/30 bg-amber-500/15 text-amber-700 dark:text-amber-300",
  patch: "border-violet-500/30 bg-violet-500/15 text-violet-700 dark:text-violet-300",
  delete: "border-red-500/30 bg-red-500/15 text-red-700 dark:text-red-300",
  head: "border-slate-500/30 bg-slate-500/15 text-slate-700 dark:text-slate-300",
  options: "border-slate-500/30 bg-slate-500/15 text-slate-700 dark:text-slate-300",
  trace: "border-slate-500/30 bg-slate-500/15 text-slate-700 dark:text-slate-300",
};

function MethodBadge({ method, className }: { method: HttpMethod; className?: string }) {
  return (
    <Badge
      variant="outline"
      className={cn("w-16 justify-center font-mono text-[11px] font-semibold uppercase", METHOD_STYLES[method], className)}
    >
      {method}
    </Badge>
  );
}

function statusStyle(status: string | number): string {
  const first = String(status)[0];
  if (first === "2") return "border-emerald-500/30 bg-emerald-500/15 text-emerald-700 dark:text-emerald-300";
  if (first === "3") return "border-sky-500/30 bg-sky-500/15 text-sky-700 dark:text-sky-300";
  if (first === "4") return "border-amber-500/30 bg-amber-500/15 text-amber-700 dark:text-amber-300";
  if (first === "5") return "border-red-500/30 bg-red-500/15 text-red-700 dark:text-red-300";
  return "border-border bg-muted text-muted-foreground";
}

function StatusBadge({ status }: { status: string | number }) {
  return (
    <Badge variant="outline" className={cn("font-mono", statusStyle(status))}>
      {status}
    </Badge>
  );
}

/** Path with `{params}` emphasised. */
function PathText({ path, className }: { path: string; className?: string }) {
  const parts = path.split(/(\{[^}]+\})/g).filter(Boolean);
  return (
    <span className={cn("font-mono break-all", className)}>
      {parts.map((part, i) =>
        part.startsWith("{") ? (
          <span key={i} className="text-primary">
            {part}
          </span>
        ) : (
          <React.Fragment key={i}>{part}</React.Fragment>
        ),
      )}
    </span>
  );
}

function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "group";
}

function cardKey(group: OperationGroup, entry: OperationEntry): string {
  return `op-${slug(group.tag)}-${entry.id}`;
}


function CopyButton({ text, label = "Copy", className }: { text: string; label?: string; className?: string }) {
  const [copied, setCopied] = React.useState(false);
  const timer = React.useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  React.useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <Button
      type="button"
      variant="ghost"
      size="sm"
      className={cn("h-7 px-2 text-xs", className)}
      onClick={async () => {
        const ok = await copyText(text);
        if (!ok) return;
        setCopied(true);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? <Check className="size-3.5" /> : <Copy className="size-3.5" />}
      {copied ? "Copied" : label}
    </Button>
  );
}

function SectionTitle({ children }: { children: React.ReactNode }) {
  return <h4 className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">{children}</h4>;
}

function CodeBlock({ children, className }: { children: string; className?: string }) {
  return (
    <pre
      className={cn(
        "max-h-96 overflow-auto rounded-md border border-border bg-muted/50 p-3 font-mono text-xs leading-relaxed whitespace-pre",
        className,
      )}
    >
      {children}
    </pre>
  );
}

/* -------------------------------------------------------------------------- */
/*  Schema rendering                                                           */
/* -------------------------------------------------------------------------- */

function SchemaNodeMeta({ node }: { node: SchemaNode }) {
  return (
    <>
      {node.description ? (
        <p className="mt-0.5 text-xs whitespace-pre-line text-muted-foreground">{node.description}</p>
      ) : null}
      {node.enumValues && node.enumValues.length > 0 ? (
        <p className="mt-0.5 flex flex-wrap items-center gap-1 text-xs text-muted-foreground">
          <span>one of</span>
          {node.enumValues.map((value, i) => (
            <code key={i} className="rounded bg-muted px-1 font-mono text-foreground">
              {formatValue(value)}
            </code>
          ))}
        </p>
      ) : null}
      {node.defaultValue !== undefined || node.constraints.length > 0 || node.example !== undefined ? (
        <p className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-muted-foreground">
          {node.defaultValue !== undefined ? (
            <span>
              default <code className="font-mono text-foreground">{formatValue(node.defaultValue)}</code>
            </span>
          ) : null}
          {node.example !== undefined ? (
            <span>
              e.g. <code className="font-mono text-foreground">{formatValue(node.example)}</code>
            </span>
          ) : null}
          {node.constraints.map((c) => (
            <span key={c}>{c}</span>
          ))}
        </p>
      ) : null}
    </>
  );
}

function SchemaNodeLine({ node }: { node: SchemaNode }) {
  return (
    <span className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
      {node.name !== undefined ? <span className="font-mono text-sm font-medium text-foreground">{node.name}</span> : null}
      <span className="font-mono text-xs text-primary">
        {node.type}
        {node.nullable ? " | null" : ""}
      </span>
      {node.required ? <span className="text-[11px] font-medium text-red-600 dark:text-red-400">required</span> : null}
      {node.readOnly ? <span className="text-[11px] text-muted-foreground">read-only</span> : null}
      {node.deprecated ? <span className="text-[11px] text-amber-700 dark:text-amber-300">deprecated</span> : null}
      {node.circular ? <span className="text-[11px] text-muted-foreground">(recursive)</span> : null}
    </span>
  );
}

function SchemaTreeNode({ node, depth }: { node: SchemaNode; depth: number }) {
  if (node.children.length === 0) {
    return (
      <li className="py-1.5">
        <SchemaNodeLine node={node} />
        <SchemaNodeMeta node={node} />
      </li>
    );
  }
  return (
    <li className="py-1.5">
      <details open={depth < 2} className="group/schema">
        <summary className="flex cursor-pointer list-none items-start gap-1 [&::-webkit-details-marker]:hidden">
          <ChevronRight className="mt-0.5 size-3.5 shrink-0 text-muted-foreground transition-transform group-open/schema:rotate-90" />
          <span className="min-w-0">
            <SchemaNodeLine node={node} />
          </span>
        </summary>
        <div className="pl-4.5">
          <SchemaNodeMeta node={node} />
          <ul className="mt-1 border-l border-border pl-3">
            {node.children.map((child, i) => (
              <SchemaTreeNode key={`${child.name ?? ""}-${i}`} node={child} depth={depth + 1} />
            ))}
          </ul>
        </div>
      </details>
    </li>
  );
}

function SchemaView({ spec, schema, example }: { spec: OpenApiSpec; schema: JsonSchemaOrBool | undefined; example?: unknown }) {
  const [mode, setMode] = React.useState<"schema" | "example">("schema");
  const tree = React.useMemo(() => schemaToTree(spec, schema), [spec, schema]);
  const exampleText = React.useMemo(
    () => JSON.stringify(example !== undefined ? example : exampleFromSchema(spec, schema), null, 2) ?? "null",
    [spec, schema, example],
  );
  return (
    <div className="rounded-md border border-border">
      <div className="flex items-center justify-between gap-2 border-b border-border px-2 py-1">
        <div className="flex gap-1" role="tablist">
          {(["schema", "example"] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              onClick={() => setMode(m)}
              className={cn(
                "rounded px-2 py-0.5 text-xs font-medium capitalize transition-colors",
                mode === m ? "bg-muted text-foreground" : "text-muted-foreground hover:text-foreground",
              )}
            >
              {m}
            </button>
          ))}
        </div>
        {mode === "example" ? <CopyButton text={exampleText} /> : null}
      </div>
      {mode === "schema" ? (
        <div className="p-3">
          <SchemaNodeLine node={tree} />
          <SchemaNodeMeta node={tree} />
          {tree.children.length > 0 ? (
            <ul className="mt-1 border-l border-border pl-3">
              {tree.children.map((child, i) => (
                <SchemaTreeNode key={`${child.name ?? ""}-${i}`} node={child} depth={0} />
              ))}
            </ul>
          ) : null}
        </div>
      ) : (
        <CodeBlock className="rounded-none border-0 bg-transparent">{exampleText}</CodeBlock>
      )}
    </div>
  );
}

/* -------------------------------------------------------------------------- */
/*  Operation details                                                          */
/* -------------------------------------------------------------------------- */

function ParametersTable({ spec, parameters }: { spec: OpenApiSpec; parameters: OpenApiParameter[] }) {
  return (
    <div className="overflow-x-auto rounded-md border border-border">
      <table className="w-full text-left text-sm">
        <thead className="bg-muted/50 text-xs text-muted-foreground">
          <tr>
            <th className="px-3 py-2 font-medium">Name</th>
            <th className="px-3 py-2 font-medium">In</th>
            <th className="px-3 py-2 font-medium">Type</th>
            <th className="px-3 py-2 font-medium">Description</th>
          </tr>
        </thead>
        <tbody>
          {parameters.map((param) => {
            const schema = typeof param.schema === "object" ? deref<JsonSchema>(spec, param.schema) : undefined;
            return (
              <tr key={`${param.in}:${param.name}`} className="border-t border-border align-top">
                <td className="px-3 py-2">
                  <span className="font-mono font-medium">{param.name}</span>
                  {param.required ? (
                    <span className="ml-1.5 text-[11px] font-medium text-red-600 dark:text-red-400">required</span>
                  ) : null}
                  {param.deprecated ? (
                    <span className="ml-1.5 text-[11px] text-amber-700 dark:text-amber-300">deprecated</span>
                  ) : null}
                </td>
                <td className="px-3 py-2 text-muted-foreground">{param.in}</td>
                <td className="px-3 py-2 font-mono text-xs text-primary">{schemaTypeLabel(spec, param.schema)}</td>
                <td className="px-3 py-2 text-xs text-muted-foreground">
                  {param.description ? <p className="whitespace-pre-line">{param.description}</p> : null}
                  {schema?.enum && schema.enum.length > 0 ? (
                    <p className="mt-0.5">
                      one of{" "}
                      {schema.enum.map((v, i) => (
                        <code key={i} className="mr-1 rounded bg-muted px-1 font-mono text-foreground">
                          {formatValue(v)}
                        </code>
                      ))}
                    </p>
                  ) : null}
                  {schema?.default !== undefined ? (
                    <p className="mt-0.5">
                      default <code className="font-mono text-foreground">{formatValue(schema.default)}</code>
                    </p>
                  ) : null}
                  {!param.description && !schema?.enum && schema?.default === undefined ? "—" : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ResponsesList({ spec, entry }: { spec: OpenApiSpec; entry: OperationEntry }) {
  const responses = React.useMemo(() => responseList(spec, entry.operation), [spec, entry]);
  if (responses.length === 0) return <p className="text-sm text-muted-foreground">No responses documented.</p>;
  return (
    <ul className="space-y-2">
      {responses.map((response) => {
        const hasSchema =
          response.schema !== undefined &&
          !(typeof response.schema === "object" && Object.keys(response.schema).length === 0);
        return (
          <li key={response.status} className="rounded-md border border-border">
            <details className="group/resp">
              <summary
                className={cn(
                  "flex list-none items-center gap-2 px-3 py-2 text-sm [&::-webkit-details-marker]:hidden",
                  hasSchema ? "cursor-pointer" : "cursor-default",
                )}
                onClick={hasSchema ? undefined : (e) => e.preventDefault()}
              >
                <ChevronRight
                  className={cn(
                    "size-3.5 shrink-0 text-muted-foreground transition-transform group-open/resp:rotate-90",
                    !hasSchema && "invisible",
                  )}
                />
                <StatusBadge status={response.status} />
                <span className="min-w-0 flex-1">{response.description || "—"}</span>
                {response.contentType ? (
                  <span className="hidden font-mono text-xs text-muted-foreground sm:inline">{response.contentType}</span>
                ) : null}
              </summary>
              {hasSchema ? (
                <div className="border-t border-border p-3">
                  <SchemaView spec={spec} schema={response.schema} />
                </div>
              ) : null}
            </details>
          </li>
        );
      })}
    </ul>
  );
}

/* -------------------------------------------------------------------------- */
/*  Try it                                                                     */
/* -------------------------------------------------------------------------- */

interface TryResult {
  status: number;
  statusText: string;
  durationMs: number;
  requestId: string | null;
  contentType: string | null;
  body: string;
  error?: { code?: string; message?: string };
}

const MAX_BODY_CHARS = 200_000;

function initialBody(spec: OpenApiSpec, entry: OperationEntry): string {
  const info = requestBodyInfo(spec, entry.operation);
  if (!info) return "";
  const example = info.example !== undefined ? info.example : exampleFromSchema(spec, info.schema);
  return JSON.stringify(example, null, 2) ?? "";
}

function paramKey(param: OpenApiParameter): string {
  return `${param.in}:${param.name}`;
}

function ParamInput({
  spec,
  param,
  id,
  value,
  invalid,
  onChange,
}: {
  spec: OpenApiSpec;
  param: OpenApiParameter;
  id: string;
  value: string;
  invalid: boolean;
  onChange: (value: string) => void;
}) {
  const schema = typeof param.schema === "object" ? deref<JsonSchema>(spec, param.schema) : undefined;
  const type = Array.isArray(schema?.type) ? schema?.type.find((t) => t !== "null") : schema?.type;
  const options = schema?.enum
    ? schema.enum.map((v) => String(v))
    : type === "boolean"
      ? ["true", "false"]
      : undefined;
  if (options) {
    return (
      <select
        id={id}
        value={value}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value)}
        className="h-9 w-full rounded-md border border-input bg-background px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 aria-invalid:border-destructive dark:bg-input/30"
      >
        <option value="">{param.required ? "Select…" : "(not set)"}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  const hint = param.example ?? schema?.example ?? schema?.default;
  return (
    <Input
      id={id}
      value={value}
      aria-invalid={invalid || undefined}
      inputMode={type === "integer" || type === "number" ? "numeric" : undefined}
      placeholder={hint !== undefined ? String(hint) : schemaTypeLabel(spec, param.schema)}
      onChange={(e) => onChange(e.target.value)}
      className="font-mono"
      spellCheck={false}
      autoComplete="off"
    />
  );
}

function TryItPanel({
  spec,
  entry,
  baseUrl,
  token,
}: {
  spec: OpenApiSpec;
  entry: OperationEntry;
  baseUrl: string;
  token: string;
}) {
  const idPrefix = React.useId();
  const params = React.useMemo(
    () => entry.parameters.filter((p) => p.in === "path" || p.in === "query" || p.in === "header"),
    [entry],
  );
  const bodyInfo = React.useMemo(() => requestBodyInfo(spec, entry.operation), [spec, entry]);
  const hasBody = bodyInfo !== undefined && entry.method !== "get" && entry.method !== "head";
  const [values, setValues] = React.useState<Record<string, string>>({});
  const [body, setBody] = React.useState(() => initialBody(spec, entry));
  const [problem, setProblem] = React.useState<string | null>(null);
  const [missing, setMissing] = React.useState<ReadonlySet<string>>(new Set());
  const [sending, setSending] = React.useState(false);
  const [result, setResult] = React.useState<TryResult | null>(null);
  const [networkError, setNetworkError] = React.useState<string | null>(null);
  const abortRef = React.useRef<AbortController | null>(null);

  React.useEffect(() => () => abortRef.current?.abort(), []);

  const request = React.useMemo(() => {
    const pathParams: Record<string, string> = {};
    const query: Record<string, string> = {};
    const headers: Record<string, string> = {};
    for (const p of params) {
      const v = values[paramKey(p)] ?? "";
      if (p.in === "path") pathParams[p.name] = v;
      else if (p.in === "query") query[p.name] = v;
      else headers[p.name] = v;
    }
    return buildRequest({
      baseUrl,
      path: entry.path,
      method: entry.method,
      pathParams,
      query,
      headers,
      body: hasBody ? body : undefined,
      token,
    });
  }, [params, values, baseUrl, entry, hasBody, body, token]);

  const needsAuth = requiresAuth(spec, entry.operation);

  const setValue = (key: string, value: string) => {
    setValues((prev) => ({ ...prev, [key]: value }));
    if (missing.has(key)) {
      setMissing((prev) => {
        const next = new Set(prev);
        next.delete(key);
        return next;
      });
    }
  };

  const send = async () => {
    const absent = new Set(params.filter((p) => p.required && !(values[paramKey(p)] ?? "").trim()).map(paramKey));
    setMissing(absent);
    if (absent.size > 0) {
      setProblem("Fill in the required parameters first.");
      return;
    }
    if (hasBody && body.trim()) {
      try {
        JSON.parse(body);
      } catch (err) {
        setProblem(`Request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
    setProblem(null);
    setNetworkError(null);
    abortRef.current?.abort();
    const controller = new AbortController();
    abortRef.current = controller;
    setSending(true);
    const started = performance.now();
    try {
      const response = await fetch(request.url, { ...request.init, signal: controller.signal });
      const text = await response.text();
      const durationMs = Math.round(performance.now() - started);
      let pretty = text;
      let error: TryResult["error"];
      let bodyRequestId: string | undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        pretty = JSON.stringify(parsed, null, 2);
        if (parsed && typeof parsed === "object" && "error" in parsed) {
          const e = (parsed as { error: unknown }).error;
          if (e && typeof e === "object") {
            const { code, message, requestId } = e as { code?: unknown; message?: unknown; requestId?: unknown };
            error = {
              code: typeof code === "string" ? code : undefined,
              message: typeof message === "string" ? message : undefined,
            };
            if (typeof requestId === "string") bodyRequestId = requestId;
          }
        }
      } catch {
        // not JSON: show as text
      }
      if (pretty.length > MAX_BODY_CHARS) {
        pretty = `${pretty.slice(0, MAX_BODY_CHARS)}\n… (${(pretty.length - MAX_BODY_CHARS).toLocaleString()} more characters truncated)`;
      }
      setResult({
        status: response.status,
        statusText: response.statusText,
        durationMs,
        requestId: response.headers.get("x-request-id") ?? bodyRequestId ?? null,
        contentType: response.headers.get("content-type"),
        body: pretty,
        error,
      });
    } catch (err) {
      if (controller.signal.aborted) {
        setNetworkError("Request cancelled.");
      } else {
        setResult(null);
        setNetworkError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      if (abortRef.current === controller) {
        abortRef.current = null;
        setSending(false);
      }
    }
  };

  return (
    <div className="space-y-4 rounded-lg border border-border bg-muted/30 p-4">
      <div className="flex items-center justify-between gap-2">
        <h4 className="text-sm font-semibold">Try it</h4>
        {needsAuth ? (
          <span
            className={cn(
              "flex items-center gap-1 text-xs",
              token ? "text-emerald-700 dark:text-emerald-300" : "text-muted-foreground",
            )}
          >
            <KeyRound className="size-3.5" />
            {token ? "Using bearer token" : "Using session cookie (if signed in)"}
          </span>
        ) : null}
      </div>

      {params.length > 0 ? (
        <div className="grid gap-3 sm:grid-cols-2">
          {params.map((param) => {
            const key = paramKey(param);
            const id = `${idPrefix}-${param.in}-${param.name}`;
            return (
              <div key={key} className="space-y-1.5">
                <Label htmlFor={id} className="font-mono text-xs">
                  {param.name}
                  <span className="font-sans font-normal text-muted-foreground">
                    {param.in}
                    {param.required ? " · required" : ""}
                  </span>
                </Label>
                <ParamInput
                  spec={spec}
                  param={param}
                  id={id}
                  value={values[key] ?? ""}
                  invalid={missing.has(key)}
                  onChange={(v) => setValue(key, v)}
                />
              </div>
            );
          })}
        </div>
      ) : null}

      {hasBody ? (
        <div className="space-y-1.5">
          <div className="flex items-center justify-between gap-2">
            <Label htmlFor={`${idPrefix}-body`} className="text-xs">
              Request body
              <span className="font-mono font-normal text-muted-foreground">{bodyInfo?.contentType}</span>
            </Label>
            <Button
              type="button"
              variant="ghost"
              size="sm"
              className="h-7 px-2 text-xs"
              onClick={() => setBody(initialBody(spec, entry))}
            >
              <RotateCcw className="size-3.5" />
              Reset to example
            </Button>
          </div>
          <Textarea
            id={`${idPrefix}-body`}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            rows={8}
            className="max-h-[28rem] min-h-32 bg-background font-mono text-xs md:text-xs"
          />
        </div>
      ) : null}

      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" size="sm" onClick={send} disabled={sending}>
          {sending ? <LoaderCircle className="size-4 animate-spin" /> : <Send className="size-4" />}
          {sending ? "Sending…" : "Send"}
        </Button>
        {sending ? (
          <Button type="button" variant="outline" size="sm" onClick={() => abortRef.current?.abort()}>
            Cancel
          </Button>
        ) : null}
        {result || networkError ? (
          <Button
            type="button"
            variant="ghost"
            size="sm"
            onClick={() => {
              setResult(null);
              setNetworkError(null);
            }}
          >
            Clear response
          </Button>
        ) : null}
        {problem ? (
          <p role="alert" className="flex items-center gap-1 text-xs text-red-600 dark:text-red-400">
            <CircleAlert className="size-3.5 shrink-0" />
            {problem}
          </p>
        ) : null}
      </div>

      <div className="space-y-1.5">
        <div className="flex items-center justify-between gap-2">
          <SectionTitle>curl</SectionTitle>
          <CopyButton text={request.curl} />
        </div>
        <CodeBlock className="bg-background">{request.curl}</CodeBlock>
        {needsAuth && !token ? (
          <p className="text-xs text-muted-foreground">
            Outside the browser there is no session cookie: add{" "}
            <code className="font-mono">-H &apos;Authorization: Bearer &lt;token&gt;&apos;</code> with an API token.
          </p>
        ) : null}
      </div>

      {networkError ? (
        <p role="alert" className="flex items-center gap-1.5 text-sm text-red-600 dark:text-red-400">
          <CircleAlert className="size-4 shrink-0" />
          {networkError}
        </p>
      ) : null}

      {result ? (
        <div className="space-y-2" aria-live="polite">
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
            <span className="flex items-center gap-1.5">
              <StatusBadge status={result.status} />
              <span className="text-muted-foreground">{result.statusText}</span>
            </span>
            <span className="text-muted-foreground">
              <span className="font-mono text-foreground">{result.durationMs}</span> ms
            </span>
            {result.requestId ? (
              <span className="flex items-center gap-1 text-muted-foreground">
                X-Request-Id <code className="font-mono text-xs text-foreground">{result.requestId}</code>
                <CopyButton text={result.requestId} label="" className="h-6 px-1.5" />
              </span>
            ) : null}
            {result.contentType ? (
              <span className="font-mono text-xs text-muted-foreground">{result.contentType}</span>
            ) : null}
          </div>
          {result.error && (result.error.code || result.error.message) ? (
            <p className="flex items-start gap-1.5 text-sm text-red-600 dark:text-red-400">
              <CircleAlert className="mt-0.5 size-4 shrink-0" />
              <span>
                {result.error.code ? <code className="mr-1.5 font-mono font-semibold">{result.error.code}</code> : null}
                {result.error.message}
              </span>
            </p>
          ) : null}
          <div className="relative">
            <CodeBlock className="bg-background pr-20">{result.body || "(empty body)"}</CodeBlock>
            {result.body ? <CopyButton text={result.body} className="absolute top-1.5 right-1.5" /> : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}

/* -------------------------------------------------------------------------- */
/*  Operation card                                                             */
/* -------------------------------------------------------------------------- */

function OperationCard({
  spec,
  entry,
  domId,
  open,
  mounted,
  onToggle,
  baseUrl,
  token,
}: {
  spec: OpenApiSpec;
  entry: OperationEntry;
  domId: string;
  open: boolean;
  mounted: boolean;
  onToggle: () => void;
  baseUrl: string;
  token: string;
}) {
  const { operation } = entry;
  const bodyInfo = React.useMemo(() => requestBodyInfo(spec, operation), [spec, operation]);
  const needsAuth = requiresAuth(spec, operation);
  const contentId = `${domId}-content`;
  return (
    <article id={domId} className="scroll-mt-20 overflow-hidden rounded-lg border border-border bg-card">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={contentId}
        onClick={onToggle}
        className="flex w-full items-center gap-3 px-3 py-2.5 text-left transition-colors hover:bg-muted/50"
      >
        <MethodBadge method={entry.method} />
        <span className="flex min-w-0 flex-1 flex-col gap-0.5 md:flex-row md:items-center md:gap-3">
          <PathText
            path={entry.path}
            className={cn("text-sm font-medium", operation.deprecated && "text-muted-foreground line-through")}
          />
          {operation.summary ? (
            <span className="truncate text-sm text-muted-foreground">{operation.summary}</span>
          ) : null}
        </span>
        {operation.deprecated ? (
          <Badge
            variant="outline"
            className="hidden border-amber-500/30 bg-amber-500/15 text-amber-700 sm:inline-flex dark:text-amber-300"
          >
            deprecated
          </Badge>
        ) : null}
        {needsAuth ? <Lock className="size-3.5 shrink-0 text-muted-foreground" aria-label="Requires authentication" /> : null}
        <ChevronRight
          className={cn("size-4 shrink-0 text-muted-foreground transition-transform", open && "rotate-90")}
          aria-hidden="true"
        />
      </button>
      {mounted ? (
        <div id={contentId} hidden={!open} className="space-y-5 border-t border-border p-4">
          {operation.description ? (
            <p className="text-sm whitespace-pre-line text-muted-foreground">{operation.description}</p>
          ) : null}
          <div className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
            {operation.operationId ? (
              <span>
                operationId <code className="font-mono text-foreground">{operation.operationId}</code>
              </span>
            ) : null}
            <span>{needsAuth ? "Requires authentication" : "No authentication required"}</span>
          </div>

          {entry.parameters.length > 0 ? (
            <section className="space-y-2">
              <SectionTitle>Parameters</SectionTitle>
              <ParametersTable spec={spec} parameters={entry.parameters} />
            </section>
          ) : null}

          {bodyInfo ? (
            <section className="space-y-2">
              <div className="flex flex-wrap items-baseline gap-2">
                <SectionTitle>Request body</SectionTitle>
                <span className="font-mono text-xs text-muted-foreground">{bodyInfo.contentType}</span>
                {bodyInfo.required ? (
                  <span className="text-[11px] font-medium text-red-600 dark:text-red-400">required</span>
                ) : null}
              </div>
              {bodyInfo.description ? (
                <p className="text-sm whitespace-pre-line text-muted-foreground">{bodyInfo.description}</p>
              ) : null}
              <SchemaView spec={spec} schema={bodyInfo.schema} example={bodyInfo.example} />
            </section>
          ) : null}

          <section className="space-y-2">
            <SectionTitle>Responses</SectionTitle>
            <ResponsesList spec={spec} entry={entry} />
          </section>

          <TryItPanel spec={spec} entry={entry} baseUrl={baseUrl} token={token} />
        </div>
      ) : null}
    </article>
  );
}

/* -------------------------------------------------------------------------- */
/*  Explorer                                                                   */
/* -------------------------------------------------------------------------- */

type LoadState =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "ready"; spec: OpenApiSpec };

function isOpenApiSpec(value: unknown): value is OpenApiSpec {
  return (
    typeof value === "object" &&
    value !== null &&
    "paths" in value &&
    typeof (value as { paths: unknown }).paths === "object" &&
    (value as { paths: unknown }).paths !== null
  );
}

function describeSecurity(spec: OpenApiSpec): string | null {
  const schemes = Object.entries(spec.components?.securitySchemes ?? {})
    .map(([name, raw]) => {
      const scheme = deref<OpenApiSecurityScheme>(spec, raw);
      if (!scheme) return null;
      if (scheme.type === "http" && scheme.scheme?.toLowerCase() === "bearer") {
        return `${name}: HTTP bearer token${scheme.bearerFormat ? ` (${scheme.bearerFormat})` : ""}`;
      }
      if (scheme.type === "apiKey") return `${name}: API key in ${scheme.in ?? "header"} "${scheme.name ?? ""}"`;
      return `${name}: ${scheme.type}`;
    })
    .filter((s): s is string => s !== null);
  return schemes.length > 0 ? schemes.join(" · ") : null;
}

function TokenField() {
  const [token, setToken] = useBearerToken();
  const [visible, setVisible] = React.useState(false);
  const id = React.useId();
  return (
    <div className="space-y-1.5">
      <Label htmlFor={id} className="text-sm">
        <KeyRound className="size-4 text-muted-foreground" />
        Bearer token
        <span className="font-normal text-muted-foreground">(optional)</span>
      </Label>
      <div className="flex gap-2">
        <Input
          id={id}
          type={visible ? "text" : "password"}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="Paste an API token…"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <Button
          type="button"
          variant="outline"
          size="sm"
          className="h-9"
          onClick={() => setVisible((v) => !v)}
          aria-label={visible ? "Hide token" : "Show token"}
          aria-pressed={visible}
        >
          {visible ? <EyeOff className="size-4" /> : <Eye className="size-4" />}
        </Button>
        {token ? (
          <Button type="button" variant="outline" size="sm" className="h-9" onClick={() => setToken("")}>
            Clear
          </Button>
        ) : null}
      </div>
      <p className="text-xs text-muted-foreground">
        Kept in this tab&apos;s session storage only. Requests from this page are same-origin, so your dashboard session
        cookie is sent too — a token is only needed when you are not signed in or want to test a specific token.
      </p>
    </div>
  );
}

function findHashTarget(groups: OperationGroup[], hash: string): string | null {
  const target = decodeURIComponent(hash.replace(/^#/, ""));
  if (!target) return null;
  for (const group of groups) {
    for (const entry of group.operations) {
      const key = cardKey(group, entry);
      if (key === target || entry.id === target) return key;
    }
  }
  return null;
}

export function ApiExplorer({ specUrl }: { specUrl: string }) {
  const [load, setLoad] = React.useState<LoadState>({ status: "loading" });
  const [attempt, setAttempt] = React.useState(0);
  const [query, setQuery] = React.useState("");
  const deferredQuery = React.useDeferredValue(query);
  const [openKeys, setOpenKeys] = React.useState<ReadonlySet<string>>(new Set());
  const [mountedKeys, setMountedKeys] = React.useState<ReadonlySet<string>>(new Set());
  const [token] = useBearerToken();
  const origin = useOrigin();

  const openOnly = React.useCallback((key: string) => {
    setOpenKeys((prev) => new Set(prev).add(key));
    setMountedKeys((prev) => (prev.has(key) ? prev : new Set(prev).add(key)));
  }, []);

  React.useEffect(() => {
    const controller = new AbortController();
    (async () => {
      try {
        const response = await fetch(specUrl, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`The server answered ${response.status} ${response.statusText}`.trim());
        const json: unknown = await response.json();
        if (!isOpenApiSpec(json)) throw new Error("The response is not an OpenAPI document.");
        setLoad({ status: "ready", spec: json });
        const key = findHashTarget(groupOperations(json), window.location.hash);
        if (key) {
          setOpenKeys(new Set([key]));
          setMountedKeys(new Set([key]));
          requestAnimationFrame(() => document.getElementById(key)?.scrollIntoView({ block: "start" }));
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        setLoad({ status: "error", message: err instanceof Error ? err.message : String(err) });
      }
    })();
    return () => controller.abort();
  }, [specUrl, attempt]);

  const spec = load.status === "ready" ? load.spec : undefined;
  const groups = React.useMemo(() => (spec ? groupOperations(spec) : []), [spec]);
  const visibleGroups = React.useMemo(() => filterGroups(groups, deferredQuery), [groups, deferredQuery]);
  const baseUrl = React.useMemo(() => (spec ? resolveBaseUrl(spec, specUrl, origin) : ""), [spec, specUrl, origin]);
  const totalOperations = React.useMemo(() => new Set(groups.flatMap((g) => g.operations.map((o) => o.id))).size, [groups]);
  const visibleCount = React.useMemo(
    () => new Set(visibleGroups.flatMap((g) => g.operations.map((o) => o.id))).size,
    [visibleGroups],
  );

  React.useEffect(() => {
    if (groups.length === 0) return;
    const onHashChange = () => {
      const key = findHashTarget(groups, window.location.hash);
      if (key) openOnly(key);
    };
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
  }, [groups, openOnly]);

  const toggle = (key: string) => {
    const willOpen = !openKeys.has(key);
    setOpenKeys((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
    if (willOpen) {
      setMountedKeys((prev) => (prev.has(key) ? prev : new Set(prev).add(key)));
      window.history.replaceState(null, "", `#${key}`);
    }
  };

  const setAllVisible = (open: boolean) => {
    const keys = visibleGroups.flatMap((g) => g.operations.map((o) => cardKey(g, o)));
    setOpenKeys((prev) => {
      const next = new Set(prev);
      for (const key of keys) {
        if (open) next.add(key);
        else next.delete(key);
      }
      return next;
    });
    if (open) setMountedKeys((prev) => new Set([...prev, ...keys]));
  };

  if (load.status === "loading") {
    return (
      <div role="status" className="flex items-center justify-center gap-2 rounded-lg border border-border bg-card p-10 text-sm text-muted-foreground">
        <LoaderCircle className="size-5 animate-spin" aria-hidden="true" />
        Loading API specification…
      </div>
    );
  }

  if (load.status === "error") {
    return (
      <div role="alert" className="space-y-3 rounded-lg border border-red-500/30 bg-red-500/5 p-6">
        <p className="flex items-center gap-2 font-medium text-red-700 dark:text-red-300">
          <CircleAlert className="size-5 shrink-0" />
          Could not load the API specification
        </p>
        <p className="text-sm text-muted-foreground">
          {load.message} (<code className="font-mono">{specUrl}</code>)
        </p>
        <Button
          type="button"
          variant="outline"
          size="sm"
          onClick={() => {
            setLoad({ status: "loading" });
            setAttempt((n) => n + 1);
          }}
        >
          <RotateCcw className="size-4" />
          Retry
        </Button>
      </div>
    );
  }

  const info = load.spec.info ?? {};
  const security = describeSecurity(load.spec);

  return (
    <div className="space-y-6 text-foreground">
      <header className="space-y-4 rounded-lg border border-border bg-card p-5">
        <div className="space-y-2">
          <div className="flex flex-wrap items-center gap-2">
            <h2 className="text-xl font-semibold tracking-tight">{info.title || "API"}</h2>
            {info.version ? <Badge variant="secondary">v{info.version}</Badge> : null}
            {load.spec.openapi ? <Badge variant="outline">OpenAPI {load.spec.openapi}</Badge> : null}
            <a
              href={specUrl}
              target="_blank"
              rel="noreferrer"
              className="text-xs text-muted-foreground underline-offset-4 hover:text-foreground hover:underline"
            >
              openapi.json
            </a>
          </div>
          {info.description ? (
            <p className="max-w-3xl text-sm whitespace-pre-line text-muted-foreground">{info.description}</p>
          ) : null}
          <div className="flex flex-wrap gap-x-6 gap-y-1 text-xs text-muted-foreground">
            <span>
              Base URL <code className="font-mono text-foreground">{baseUrl}</code>
            </span>
            {security ? <span>Auth {security}</span> : null}
          </div>
        </div>
        <TokenField />
      </header>

      <div className="flex flex-wrap items-center gap-2">
        <div className="relative min-w-56 flex-1">
          <Search
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Filter by path, method, summary or tag…"
            aria-label="Filter operations"
            className="pr-9 pl-9"
          />
          {query ? (
            <button
              type="button"
              onClick={() => setQuery("")}
              aria-label="Clear filter"
              className="absolute top-1/2 right-2 -translate-y-1/2 rounded p-1 text-muted-foreground hover:text-foreground"
            >
              <X className="size-3.5" />
            </button>
          ) : null}
        </div>
        <span className="text-xs text-muted-foreground">
          {visibleCount === totalOperations ? `${totalOperations} operations` : `${visibleCount} of ${totalOperations}`}
        </span>
        <Button type="button" variant="ghost" size="sm" onClick={() => setAllVisible(true)}>
          Expand all
        </Button>
        <Button type="button" variant="ghost" size="sm" onClick={() => setAllVisible(false)}>
          Collapse all
        </Button>
      </div>

      <div className="grid gap-6 lg:grid-cols-[13rem_minmax(0,1fr)]">
        <nav aria-label="API operations" className="hidden lg:block">
          <div className="sticky top-4 max-h-[calc(100vh-2rem)] space-y-4 overflow-y-auto pr-1">
            {visibleGroups.map((group) => (
              <div key={group.tag} className="space-y-1">
                <a
                  href={`#tag-${slug(group.tag)}`}
                  className="block text-xs font-semibold tracking-wide text-muted-foreground uppercase hover:text-foreground"
                >
                  {group.tag}
                </a>
                <ul className="space-y-0.5">
                  {group.operations.map((entry) => {
                    const key = cardKey(group, entry);
                    return (
                      <li key={key}>
                        <a
                          href={`#${key}`}
                          onClick={() => openOnly(key)}
                          className={cn(
                            "flex items-center gap-2 rounded px-1.5 py-1 text-xs hover:bg-muted",
                            openKeys.has(key) ? "text-foreground" : "text-muted-foreground",
                          )}
                          title={`${entry.method.toUpperCase()} ${entry.path}`}
                        >
                          <span
                            className={cn(
                              "w-11 shrink-0 rounded border px-1 text-center font-mono text-[10px] font-semibold uppercase",
                              METHOD_STYLES[entry.method],
                            )}
                          >
                            {entry.method === "delete" ? "del" : entry.method}
                          </span>
                          <span className="truncate">{entry.operation.summary || entry.path}</span>
                        </a>
                      </li>
                    );
                  })}
                </ul>
              </div>
            ))}
          </div>
        </nav>

        <div className="min-w-0 space-y-8">
          {visibleGroups.length === 0 ? (
            <p className="rounded-lg border border-dashed border-border p-8 text-center text-sm text-muted-foreground">
              {totalOperations === 0 ? "This API document has no operations." : `No operations match “${deferredQuery}”.`}
            </p>
          ) : null}
          {visibleGroups.map((group) => (
            <section key={group.tag} id={`tag-${slug(group.tag)}`} className="scroll-mt-20 space-y-3">
              <div>
                <h3 className="text-lg font-semibold capitalize">{group.tag}</h3>
                {group.description ? (
                  <p className="text-sm whitespace-pre-line text-muted-foreground">{group.description}</p>
                ) : null}
              </div>
              <div className="space-y-2">
                {group.operations.map((entry) => {
                  const key = cardKey(group, entry);
                  return (
                    <OperationCard
                      key={key}
                      spec={load.spec}
                      entry={entry}
                      domId={key}
                      open={openKeys.has(key)}
                      mounted={mountedKeys.has(key)}
                      onToggle={() => toggle(key)}
                      baseUrl={baseUrl}
                      token={token}
                    />
                  );
                })}
              </div>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
