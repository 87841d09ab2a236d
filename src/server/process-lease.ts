// This process's lease in berth_processes: registered on first use, renewed every few seconds,
// dropped on a clean shutdown. Work a process leaves in a slot (a terminal attachment, a running
// command) carries its lease id; the sweep (services/slots/process-sweep.ts) ends the work of leases
// that lapsed, so nothing a killed Berth started runs on unwatched.
import { readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { eq } from "drizzle-orm";
import { db, dbHandle, type Db } from "./db";
import { berthProcesses } from "./db/schema";
import { newId } from "./ids";
import { logger } from "./logger";

/** How often a live process renews its lease. */
export const LEASE_RENEW_MS = 10_000;
/** A lease not renewed for this long belongs to a process that is gone (or stalled past any use). */
export const LEASE_EXPIRY_MS = 60_000;

/**
 * Where a pid means something: the host name and the pid namespace. Two containers may share a host
 * name (host networking, a fixed compose hostname) while their pids live in different namespaces;
 * without the namespace each would take the other's lease for dead and kill its terminals.
 */
function pidScope(): string {
  try {
    return `${hostname()} ${readlinkSync("/proc/self/ns/pid")}`;
  } catch {
    return hostname();
  }
}
export const PID_SCOPE = pidScope();

type Lease = { id: string; ready: Promise<string>; timer?: NodeJS.Timeout };

// One lease per database client (tests open several databases in one process); kept on globalThis
// so the Next bundle's copy of this module shares the server's lease.
const cache = globalThis as unknown as { __berthLeases?: WeakMap<Db, Lease> };
const leases = (cache.__berthLeases ??= new WeakMap<Db, Lease>());

/** This process's lease id on the open database, registering it first if needed. */
export function processLease(): Promise<string> {
  const current = db();
  const existing = leases.get(current);
  if (existing) return existing.ready;
  const lease: Lease = { id: newId("prc"), ready: Promise.resolve("") };
  lease.ready = register(current, lease).catch((err: unknown) => {
    leases.delete(current); // the next caller tries again
    throw err;
  });
  leases.set(current, lease);
  return lease.ready;
}

async function register(current: Db, lease: Lease): Promise<string> {
  await current.insert(berthProcesses).values({ id: lease.id, hostname: PID_SCOPE, pid: process.pid });
  lease.timer = setInterval(() => void renew(current, lease), LEASE_RENEW_MS);
  lease.timer.unref();
  return lease.id;
}

async function renew(current: Db, lease: Lease): Promise<void> {
  try {
    const renewed = await current.update(berthProcesses).set({ seenAt: new Date() }).where(eq(berthProcesses.id, lease.id)).returning({ id: berthProcesses.id });
    // Swept as dead (this process stalled past the expiry): come back; what it held was already ended.
    if (renewed.length === 0) await current.insert(berthProcesses).values({ id: lease.id, hostname: PID_SCOPE, pid: process.pid }).onConflictDoNothing();
  } catch (err) {
    logger().warn({ err }, "could not renew this process's lease");
  }
}

/** Ends the lease on a clean shutdown (after the work it held was ended). */
export async function releaseProcessLease(): Promise<void> {
  let current: Db;
  try {
    current = dbHandle().db;
  } catch {
    return; // no database open: nothing was leased
  }
  const lease = leases.get(current);
  if (!lease) return;
  leases.delete(current);
  clearInterval(lease.timer);
  const id = await lease.ready.catch(() => null);
  if (id) await current.delete(berthProcesses).where(eq(berthProcesses.id, id)).catch(() => {});
}

export type LeaseRow = typeof berthProcesses.$inferSelect;

/**
 * Whether a lease's process is gone: not renewed within the expiry, or — in this very pid namespace — its pid
 * no longer runs, or is this process while the lease is not ours (a restarted container's Berth is
 * pid 1 again). The host check lets a restarted Berth clean up at once instead of after the expiry.
 */
export function leaseIsDead(row: LeaseRow, now: number, ownId: string | null): boolean {
  if (row.id === ownId) return false;
  if (now - row.seenAt.getTime() > LEASE_EXPIRY_MS) return true;
  if (row.hostname !== PID_SCOPE) return false;
  if (row.pid === process.pid) return true;
  try {
    process.kill(row.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** The lease of this process on the open database if it has one (without registering). */
export function ownLeaseId(): string | null {
  try {
    return leases.get(db())?.id ?? null;
  } catch {
    return null;
  }
}
