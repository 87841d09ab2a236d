// Where webhooks may go: public unicast addresses only; BERTH_WEBHOOKS_ALLOW_PRIVATE=1 adds private
// and loopback networks (a receiver on your own network), never link-local (169.254.169.254 is the
// cloud metadata service), unspecified, multicast, broadcast or reserved addresses.
// Checked when an endpoint is saved (a clear error at once) and again on every delivery, where the
// connection goes to the very address that was checked (our own DNS lookup handed to the socket),
// so a name that resolves to a public address at save time and to 127.0.0.1 later (DNS rebinding)
// cannot reach inside. ipaddr.js classifies the ranges (loopback, private, link-local, unique-local,
// CGNAT, multicast, reserved, IPv4-mapped IPv6, …) instead of a hand-written list.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { env } from "@/server/env";

export class BlockedTarget extends Error {}

/** The ranges BERTH_WEBHOOKS_ALLOW_PRIVATE opens: networks a person may run a receiver on. */
const PRIVATE_RANGES = new Set(["loopback", "private", "uniqueLocal", "carrierGradeNat"]);

const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback",
  private: "a private",
  linkLocal: "a link-local",
  uniqueLocal: "a unique-local (private IPv6)",
  carrierGradeNat: "a carrier-grade NAT",
  unspecified: "an unspecified",
  multicast: "a multicast",
  broadcast: "a broadcast",
  reserved: "a reserved",
};

/** Why an address may not be a webhook target, or null when it may. */
export function blockedReason(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address); // IPv4-mapped IPv6 (::ffff:10.0.0.1) becomes the IPv4 it is
  } catch {
    return "not an IP address";
  }
  const range = parsed.range();
  if (range === "unicast" || (PRIVATE_RANGES.has(range) && env().BERTH_WEBHOOKS_ALLOW_PRIVATE)) return null;
  return `${RANGE_WORDS[range] ?? `a ${range}`} address`;
}

/** Node's lookup signature, answering only an allowed address (all of a name's addresses must be allowed). */
export function guardedLookup(hostname: string, options: { all?: boolean; family?: number } | number, callback: (...args: unknown[]) => void): void {
  const all = typeof options === "object" && options.all === true;
  dnsLookup(hostname, { all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err);
    const blocked = addresses.find((a) => blockedReason(a.address) !== null);
    if (blocked) return callback(new BlockedTarget(`Webhooks may not go to ${hostname}: it resolves to ${blocked.address}, ${blockedReason(blocked.address)}.`));
    if (addresses.length === 0) return callback(new BlockedTarget(`${hostname} has no address.`));
    if (all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/** Throws BlockedTarget when the URL's host is, or resolves to, an address webhooks may not reach. */
export async function assertDeliverable(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    const reason = blockedReason(host);
    if (reason) throw new BlockedTarget(`Webhooks may not go to ${host}, ${reason}.`);
    return;
  }
  await new Promise<void>((resolve, reject) => guardedLookup(host, { all: true }, (err) => (err ? reject(err instanceof BlockedTarget ? err : new BlockedTarget(`${host} does not resolve (${(err as Error).message}).`)) : resolve())));
}
