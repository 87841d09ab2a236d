// `npm run images`: builds Berth's images on this machine, with no registry.
//   berth/tiny:<hash>       busybox only, for fast tests (src/server/runtime/docker/tiny-image.ts)
//   berth/workspace:<hash>  the default template: debootstrapped Debian + images/workspace/Dockerfile
// Both are also tagged :latest. A tag's hash covers its recipe, so an unchanged recipe is skipped.
// Flags: --only tiny|workspace, --mirror <url> (default: this machine's configured Debian mirror).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDockerClient, resolveDockerEndpoint } from "../src/server/runtime/docker/docker-client";
import { buildImage, imageExists, importRootfs, tagImage } from "../src/server/runtime/docker/docker-images";
import { DockerRuntime } from "../src/server/runtime/docker/docker-runtime";
import { createTar } from "../src/server/runtime/docker/tar-archive";
import { ensureTinyImage } from "../src/server/runtime/docker/test-images";
import { configuredDebianMirror, FALLBACK_MIRROR } from "./debian-mirror";

/** Bump when this script changes how an image is made in a way the hashes below would not see. */
const SCRIPT_VERSION = 1;
const SUITE = "bookworm";
const VARIANT = "minbase";
const WORKSPACE_DIR = path.join(import.meta.dirname, "..", "images", "workspace");

const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}`);

type Target = "tiny" | "workspace";

function parseArgs(argv: string[]): { targets: Target[]; mirror?: string } {
  let targets: Target[] = ["tiny", "workspace"];
  let mirror: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? fail(`${arg} needs a value`);
    if (arg === "--only") {
      const only = value();
      if (only !== "tiny" && only !== "workspace") fail(`--only takes "tiny" or "workspace", not "${only}"`);
      targets = [only as Target];
    } else if (arg === "--mirror") mirror = value();
    else if (arg === "--help" || arg === "-h") {
      console.log("usage: npm run images [-- --only tiny|workspace] [-- --mirror http://deb.debian.org/debian]");
      process.exit(0);
    } else fail(`unknown argument ${arg} (try --help)`);
  }
  return { targets, mirror };
}

function fail(message: string): never {
  console.error(`build-images: ${message}`);
  process.exit(1);
}

function commandExists(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

function packageInstalled(name: string): boolean {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
  return r.status === 0 && r.stdout.startsWith("install ok installed");
}

/** Everything that must hold before a long build starts; each problem says how to fix it. */
async function preflight(targets: Target[], runtime: DockerRuntime): Promise<string[]> {
  const problems: string[] = [];
  const ping = await runtime.ping();
  if (!ping.ok) {
    problems.push(
      `${ping.message}\n    Fix: make the engine reachable for this user (start it, e.g. \`dockerd >/var/log/dockerd.log 2>&1 &\`, or set DOCKER_HOST) and run again.`,
    );
  } else log(`Docker engine ${ping.version} reachable`);
  if (!commandExists("apt-get") || !commandExists("dpkg-deb")) {
    problems.push("apt-get and dpkg-deb are missing: the images are made from Debian packages, so run this on Debian (or Ubuntu).");
    return problems;
  }
  if (targets.includes("workspace")) {
    if (process.getuid?.() !== 0) {
      problems.push("debootstrap must run as root.\n    Fix: run `sudo npm run images` (or `npm run images -- --only tiny`, which needs no root).");
    } else {
      const missing = ["debootstrap", "debian-archive-keyring"].filter((p) => !packageInstalled(p));
      if (missing.length > 0) {
        log(`installing ${missing.join(", ")} with apt-get`);
        const install = () => spawnSync("apt-get", ["install", "-y", "-q", ...missing], { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
        let r = install();
        if (r.status !== 0) {
          spawnSync("apt-get", ["update", "-q"], { stdio: "ignore" });
          r = install();
        }
        if (r.status !== 0 || !commandExists("debootstrap")) {
          problems.push(`could not install ${missing.join(", ")}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ")}\n    Fix: make the Debian mirror reachable and run \`apt-get update && apt-get install -y ${missing.join(" ")}\`.`);
        }
      }
    }
  }
  return problems;
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
}

/** The package list lives in the Dockerfile (ARG PACKAGES), so the two can never disagree. */
function workspaceRecipe(dockerfile: string): { packages: string[]; baseTag: string; workspaceTag: string } {
  const match = /^ARG PACKAGES="([^"]+)"\s*$/m.exec(dockerfile);
  if (!match?.[1]) fail(`${path.join(WORKSPACE_DIR, "Dockerfile")} has no line ARG PACKAGES="…"`);
  const packages = match[1].split(/\s+/).filter(Boolean).sort();
  const baseTag = hash({ SCRIPT_VERSION, SUITE, VARIANT, packages });
  return { packages, baseTag, workspaceTag: hash({ SCRIPT_VERSION, baseTag, dockerfile }) };
}

async function buildWorkspace(docker: ReturnType<typeof createDockerClient>, endpoint: ReturnType<typeof resolveDockerEndpoint>, mirrorFlag?: string): Promise<void> {
  const dockerfile = await readFile(path.join(WORKSPACE_DIR, "Dockerfile"), "utf8");
  const { packages, baseTag, workspaceTag } = workspaceRecipe(dockerfile);
  const image = `berth/workspace:${workspaceTag}`;
  if (await imageExists(docker, endpoint, image)) {
    await tagImage(docker, endpoint, image, { repo: "berth/workspace", tag: "latest" });
    log(`workspace: ${image} already built`);
    return;
  }

  const base = `berth/base:${baseTag}`;
  if (await imageExists(docker, endpoint, base)) {
    log(`workspace: base ${base} already imported`);
  } else {
    const mirror = mirrorFlag ?? configuredDebianMirror(SUITE);
    if (!mirror) log(`workspace: no Debian mirror in /etc/apt; using ${FALLBACK_MIRROR} (pass --mirror to choose)`);
    await debootstrapAndImport(docker, endpoint, base, packages, mirror ?? FALLBACK_MIRROR);
  }

  const stepStarted = Date.now();
  log(`workspace: docker build images/workspace FROM ${base}`);
  const context = createTar([{ type: "file", path: "Dockerfile", mode: 0o644, content: dockerfile }]);
  await buildImage(docker, endpoint, context, image, {
    buildargs: { BASE_IMAGE: base },
    labels: { "berth.image": "workspace", "berth.recipe": workspaceTag },
    onLine: (line) => (/^Step \d+\/\d+/.test(line) ? log(`  ${line}`) : undefined),
  });
  await tagImage(docker, endpoint, image, { repo: "berth/workspace", tag: "latest" });
  log(`workspace: built ${image} (+ :latest) in ${((Date.now() - stepStarted) / 1000).toFixed(1)}s`);
}

async function debootstrapAndImport(
  docker: ReturnType<typeof createDockerClient>,
  endpoint: ReturnType<typeof resolveDockerEndpoint>,
  base: string,
  packages: string[],
  mirror: string,
): Promise<void> {
  const workdir = await mkdtemp(path.join(os.tmpdir(), "berth-rootfs-"));
  const rootfs = path.join(workdir, "rootfs");
  const cleanupOnSignal = () => {
    cleanRootfs(workdir);
    process.exit(130);
  };
  process.once("SIGINT", cleanupOnSignal);
  process.once("SIGTERM", cleanupOnSignal);
  try {
    let stepStarted = Date.now();
    const logFile = path.join(workdir, "debootstrap.log");
    log(`workspace: debootstrap --variant=${VARIANT} ${SUITE} from ${mirror} with ${packages.join(" ")} (about 1–2 min)`);
    const code = await runLogged(
      "debootstrap",
      [`--variant=${VARIANT}`, "--components=main", `--include=${packages.join(",")}`, SUITE, rootfs, mirror],
      logFile,
      (seconds) => log(`  debootstrap still running (${seconds}s)`),
    );
    if (code !== 0) {
      const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-15).join("\n    ");
      throw new Error(`debootstrap failed (exit ${code}). Last lines of its log:\n    ${tail}`);
    }
    log(`workspace: debootstrap done in ${((Date.now() - stepStarted) / 1000).toFixed(1)}s`);

    // Package caches and lists only make the image bigger: slots run as uid 1000 and cannot use apt.
    spawnSync("sh", ["-c", 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/* "$1"/var/log/*.log', "sh", rootfs]);

    stepStarted = Date.now();
    log(`workspace: docker import → ${base}`);
    const tar = spawn("tar", ["--numeric-owner", "-C", rootfs, "--exclude=./dev/*", "--exclude=./proc/*", "--exclude=./sys/*", "-c", "."], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tarErrors = "";
    tar.stderr.on("data", (chunk: Buffer) => (tarErrors += chunk.toString()));
    const tarExit = new Promise<number>((resolve) => tar.on("close", (c) => resolve(c ?? 1)));
    const [repo = "berth/base", tag = "latest"] = base.split(":");
    await importRootfs(docker, endpoint, tar.stdout, { repo, tag }, ['CMD ["/bin/bash"]', "LABEL berth.image=base"]);
    const tarCode = await tarExit;
    if (tarCode !== 0) throw new Error(`tar of the root filesystem failed (exit ${tarCode}): ${tarErrors.trim()}`);
    log(`workspace: imported ${base} in ${((Date.now() - stepStarted) / 1000).toFixed(1)}s`);
  } finally {
    process.off("SIGINT", cleanupOnSignal);
    process.off("SIGTERM", cleanupOnSignal);
    cleanRootfs(workdir);
    log("workspace: temporary root filesystem removed");
  }
}

/** Runs a command with its output in a log file, reporting every 20 s that it is still going. */
function runLogged(cmd: string, args: string[], logFile: string, onTick: (seconds: number) => void): Promise<number> {
  return new Promise((resolve) => {
    const out = createWriteStream(logFile);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const t0 = Date.now();
    const ticker = setInterval(() => onTick(Math.round((Date.now() - t0) / 1000)), 20_000);
    child.on("error", (err) => {
      out.write(`${err.message}\n`);
    });
    child.on("close", (code) => {
      clearInterval(ticker);
      out.end(() => resolve(code ?? 1));
    });
  });
}

/**
 * Removes the temporary root filesystem. debootstrap mounts /proc and /sys inside it and a failed
 * run can leave them mounted: unmount first, and never cross into another filesystem while deleting.
 */
function cleanRootfs(workdir: string): void {
  if (!existsSync(workdir)) return;
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m): m is string => !!m && m.startsWith(`${workdir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) spawnSync("umount", ["-l", mount], { stdio: "ignore" });
  spawnSync("rm", ["-rf", "--one-file-system", workdir], { stdio: "inherit" });
}

async function main(): Promise<void> {
  const { targets, mirror } = parseArgs(process.argv.slice(2));
  const endpointOptions = { host: process.env.DOCKER_HOST };
  const runtime = new DockerRuntime(endpointOptions);
  const problems = await preflight(targets, runtime);
  if (problems.length > 0) {
    console.error(`\nbuild-images cannot run:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exit(1);
  }
  const endpoint = resolveDockerEndpoint(endpointOptions);
  const docker = createDockerClient(endpoint);

  if (targets.includes("tiny")) {
    const stepStarted = Date.now();
    log("tiny: berth/tiny from Debian's busybox-static");
    const tag = await ensureTinyImage({ ...endpointOptions, onProgress: (m) => log(`tiny: ${m}`) });
    log(`tiny: ${tag} (+ :latest) ready in ${((Date.now() - stepStarted) / 1000).toFixed(1)}s`);
  }
  if (targets.includes("workspace")) await buildWorkspace(docker, endpoint, mirror);
  log("done");
}

main().catch((err: unknown) => {
  console.error(`\nbuild-images failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
