// Slots must not reach the host's own services (PostgreSQL, Berth's port, anything on 0.0.0.0)
// through the bridge's gateway. enable_icc=false only stops slot-to-slot traffic; this adds, on the
// host running the engine, an INPUT rule that drops what arrives from the slots' bridge unless it
// answers a connection the host opened (ARCHITECTURE.md, "Isolation"). Outbound traffic to the
// world goes through FORWARD and is untouched.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export type FirewallResult = { applied: true } | { applied: false; reason: string };

async function iptables(args: string[]): Promise<boolean> {
  try {
    await run("iptables", ["-w", "5", ...args], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Idempotent: checks each rule (-C) before inserting it. Needs root and iptables on this host. */
export async function guardHostFromSlots(bridge: string): Promise<FirewallResult> {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return { applied: false, reason: "Berth is not running as root, so it cannot add the firewall rule" };
  }
  const drop = ["INPUT", "-i", bridge, "-j", "DROP"];
  const established = ["INPUT", "-i", bridge, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"];
  if (!(await iptables(["-C", ...drop]))) {
    if (!(await iptables(["-I", ...drop]))) return { applied: false, reason: "iptables is missing or refused the rule" };
  }
  // Inserted after the DROP, so it sits above it: replies to the host's own connections still arrive.
  if (!(await iptables(["-C", ...established]))) {
    if (!(await iptables(["-I", ...established]))) return { applied: false, reason: "iptables refused the ESTABLISHED rule" };
  }
  return { applied: true };
}
