// berth/tiny: a ~2 MB image of Debian's static busybox, imported without a registry. Berth runs
// its file helpers on it (docker-files.ts: the files of a stopped slot) and tests start containers
// of it in milliseconds. Built by `npm run images` (scripts/build-images.ts) and by the tests
// (test-images.ts), never while serving a request: building downloads a Debian package.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type Dockerode from "dockerode";
import type { DockerEndpoint } from "./docker-client";
import { imageExists, importRootfs, tagImage } from "./docker-images";
import { createTar, type TarEntry } from "./tar-archive";

const run = promisify(execFile);

const TINY_REPO = "berth/tiny";
const BUSYBOX_PACKAGE = "busybox-static";
/** Bump when the layout below changes in a way the hash would not see. */
const TINY_RECIPE_VERSION = 1;

const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "berth:x:1000:1000:berth:/home/berth:/bin/sh",
  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false",
  "",
].join("\n");
const GROUP = ["root:x:0:", "berth:x:1000:", "nogroup:x:65534:", ""].join("\n");
const DIRS: Array<{ path: string; mode: number; uid?: number }> = [
  { path: "bin", mode: 0o755 },
  { path: "dev", mode: 0o755 },
  { path: "etc", mode: 0o755 },
  { path: "home", mode: 0o755 },
  { path: "home/berth", mode: 0o755, uid: 1000 },
  { path: "proc", mode: 0o555 },
  { path: "root", mode: 0o700 },
  { path: "sys", mode: 0o555 },
  { path: "tmp", mode: 0o1777 },
  { path: "usr", mode: 0o755 },
  { path: "usr/bin", mode: 0o755 },
  { path: "var", mode: 0o755 },
  { path: "var/tmp", mode: 0o1777 },
];
const CHANGES = ['CMD ["sleep", "infinity"]', "USER 1000:1000", "WORKDIR /home/berth", "LABEL berth.image=tiny"];

/** The tag names the recipe, so a changed recipe builds a new image and an unchanged one is reused. */
export function tinyImageTag(): string {
  const recipe = JSON.stringify({ TINY_RECIPE_VERSION, BUSYBOX_PACKAGE, PASSWD, GROUP, DIRS, CHANGES });
  return `${TINY_REPO}:${createHash("sha256").update(recipe).digest("hex").slice(0, 12)}`;
}

const ensured = new Map<string, Promise<string>>();

/**
 * Returns the tiny image's tag (`berth/tiny:<recipe-hash>`), building it first when the engine
 * lacks it. Once per process and engine; concurrent callers share the build.
 */
export function ensureTinyImage(docker: Dockerode, endpoint: DockerEndpoint, opts: { onProgress?: (message: string) => void } = {}): Promise<string> {
  let pending = ensured.get(endpoint.description);
  if (!pending) {
    pending = (async () => {
      const image = tinyImageTag();
      if (await imageExists(docker, endpoint, image)) {
        await tagImage(docker, endpoint, image, { repo: TINY_REPO, tag: "latest" });
        opts.onProgress?.(`${image} already built`);
        return image;
      }
      const [repo = TINY_REPO, tag = "latest"] = image.split(":");
      const busybox = await readStaticBusybox(opts.onProgress);
      opts.onProgress?.(`importing ${image} (busybox ${busybox.version}, ${busybox.applets.length} applets)`);
      await importRootfs(docker, endpoint, createTar(tinyRootfs(busybox.binary, busybox.applets)), { repo, tag }, CHANGES);
      await tagImage(docker, endpoint, image, { repo: TINY_REPO, tag: "latest" });
      return image;
    })();
    ensured.set(endpoint.description, pending);
    pending.catch(() => ensured.delete(endpoint.description));
  }
  return pending;
}

function tinyRootfs(busybox: Buffer, applets: string[]): TarEntry[] {
  return [
    ...DIRS.map((d): TarEntry => ({ type: "dir", path: d.path, mode: d.mode, uid: d.uid ?? 0, gid: d.uid ?? 0 })),
    { type: "file", path: "bin/busybox", mode: 0o755, content: busybox },
    ...applets
      .filter((a) => a !== "busybox" && /^[\w.[-]+$/.test(a))
      .map((a): TarEntry => ({ type: "symlink", path: `bin/${a}`, target: "busybox" })),
    { type: "symlink", path: "usr/bin/env", target: "/bin/busybox" },
    { type: "file", path: "etc/passwd", mode: 0o644, content: PASSWD },
    { type: "file", path: "etc/group", mode: 0o644, content: GROUP },
  ];
}

/**
 * The busybox binary from Debian's busybox-static package: the installed one when the package is
 * installed, otherwise the package is downloaded and unpacked in a temporary directory (the host's
 * installed packages are left alone: busybox-static would replace a dynamic `busybox`).
 */
async function readStaticBusybox(
  onProgress?: (message: string) => void,
): Promise<{ binary: Buffer; version: string; applets: string[] }> {
  const installed = await run("dpkg-query", ["-W", "-f=${Status} ${Version}", BUSYBOX_PACKAGE]).then(
    (r) => r.stdout,
    () => "",
  );
  if (installed.startsWith("install ok installed")) {
    return describeBusybox("/bin/busybox", installed.split(" ").pop() ?? "");
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "berth-busybox-"));
  try {
    await chmod(dir, 0o755); // apt's download sandbox user must be able to write here
    onProgress?.(`downloading ${BUSYBOX_PACKAGE} from the Debian mirror`);
    const download = () => run("apt-get", ["download", "-q", BUSYBOX_PACKAGE], { cwd: dir });
    await download().catch(async () => {
      await run("apt-get", ["update", "-q"]); // stale package lists: refresh once
      return download();
    }).catch((err: unknown) => {
      throw new Error(
        `Could not fetch Debian's ${BUSYBOX_PACKAGE} package (${(err as Error).message.trim()}). ` +
          `On a Debian host: run as root with the Debian mirror reachable, or install it: apt-get install ${BUSYBOX_PACKAGE}.`,
        { cause: err },
      );
    });
    const deb = (await readdir(dir)).find((f) => f.endsWith(".deb"));
    if (!deb) throw new Error(`apt-get download ${BUSYBOX_PACKAGE} left no .deb in ${dir}`);
    await run("dpkg-deb", ["-x", path.join(dir, deb), path.join(dir, "root")]);
    const version = (await run("dpkg-deb", ["-f", path.join(dir, deb), "Version"])).stdout.trim();
    return await describeBusybox(path.join(dir, "root/bin/busybox"), version);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function describeBusybox(file: string, version: string): Promise<{ binary: Buffer; version: string; applets: string[] }> {
  const applets = (await run(file, ["--list"])).stdout.split("\n").filter(Boolean);
  return { binary: await readFile(file), version, applets };
}
