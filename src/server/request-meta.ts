// Request id and client IP, stamped by server.ts on every request before Next sees it.
import { randomUUID } from "node:crypto";
import type { RequestMeta } from "@/server/services/context";

export const REQUEST_ID_HEADER = "x-request-id";
/** Set by server.ts from the socket (or X-Forwarded-For with BERTH_TRUST_PROXY); never from the client. */
export const CLIENT_IP_HEADER = "x-berth-client-ip";

const VALID_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function acceptRequestId(incoming: string | string[] | undefined | null): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && VALID_ID.test(value) ? value : `req_${randomUUID().replace(/-/g, "")}`;
}

export function requestMetaFrom(headers: Headers): RequestMeta {
  return {
    ip: headers.get(CLIENT_IP_HEADER),
    requestId: acceptRequestId(headers.get(REQUEST_ID_HEADER)),
    userAgent: headers.get("user-agent"),
  };
}
