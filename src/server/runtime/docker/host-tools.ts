// The host programs the home disks need (mkfs.ext4, mount, resize2fs, …), found by absolute path and
// run with a deadline. Root's PATH is not always the login one (no /usr/sbin under some service
// managers), so the usual directories are searched instead of trusting PATH.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const SEARCH_DIRS = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"];
const DEFAULT_TIMEOUT_MS = 120_000;

export const HOST_TOOLS = ["mkfs.ext4", "e2fsck", "resize2fs", "dumpe2fs", "mount", "umount", "losetup"] as const;
export type HostTool = (typeof HOST_TOOLS)[number];

const found = new Map<HostTool, Promise<string | null>>();

/** The absolute path of a tool, or null when this host lacks it. */
export function findTool(tool: HostTool): Promise<string | null> {
  let pending = found.get(tool);
  if (!pending) {
    pending = (async () => {
      for (const dir of SEARCH_DIRS) {
        const candidate = path.join(dir, tool);
        if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
      }
      return null;
    })();
    found.set(tool, pending);
  }
  return pending;
}

/** A tool that exited badly: its exit code and what it said. */
export class HostToolError extends Error {
  constructor(
    readonly tool: HostTool,
    readonly exitCode: number | null,
    readonly stderr: string,
    opts?: { cause?: unknown },
  ) {
    super(`${tool} failed${exitCode === null ? "" : ` (exit ${exitCode})`}: ${stderr.trim().split("\n").slice(-3).join(" ") || "no message"}`, opts);
    this.name = "HostToolError";
  }
}

/** Runs a host tool; rejects with HostToolError on a non-zero exit, a missing tool or the deadline. */
export async function runTool(tool: HostTool, args: string[], opts: { timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  const file = await findTool(tool);
  if (!file) throw new HostToolError(tool, null, `${tool} is not installed on this host`);
  try {
    return await run(file, args, { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, encoding: "utf8" });
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; stdout?: string; killed?: boolean; message?: string };
    const exitCode = typeof e.code === "number" ? e.code : null;
    const said = e.killed ? `timed out after ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s` : e.stderr || e.stdout || e.message || "";
    throw new HostToolError(tool, exitCode, said, { cause: err });
  }
}
