// A minimal ustar writer: enough to hand the engine a root filesystem or a build context with exact
// owners and modes, without a temporary directory (or root) on the host.

export type TarEntry =
  | { type: "dir"; path: string; mode: number; uid?: number; gid?: number }
  | { type: "file"; path: string; mode: number; content: Buffer | string; uid?: number; gid?: number }
  | { type: "symlink"; path: string; target: string };

const BLOCK = 512;
/** A fixed mtime keeps the archive (and so the layer digest) the same for the same inputs. */
const MTIME = 946_684_800; // 2000-01-01T00:00:00Z

export function createTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.type === "file" ? Buffer.from(entry.content) : Buffer.alloc(0);
    parts.push(header(entry, content.length));
    if (content.length > 0) {
      parts.push(content);
      const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
      if (padding) parts.push(Buffer.alloc(padding));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end of archive
  return Buffer.concat(parts);
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const path = entry.path.replace(/^\/+/, "") + (entry.type === "dir" && !entry.path.endsWith("/") ? "/" : "");
  const { name, prefix } = splitPath(path);
  block.write(name, 0, 100, "utf8");
  const mode = entry.type === "symlink" ? 0o777 : entry.mode;
  const uid = entry.type === "symlink" ? 0 : (entry.uid ?? 0);
  const gid = entry.type === "symlink" ? 0 : (entry.gid ?? 0);
  octal(block, 100, 8, mode);
  octal(block, 108, 8, uid);
  octal(block, 116, 8, gid);
  octal(block, 124, 12, size);
  octal(block, 136, 12, MTIME);
  block.write(entry.type === "file" ? "0" : entry.type === "symlink" ? "2" : "5", 156, 1, "ascii");
  if (entry.type === "symlink") {
    if (Buffer.byteLength(entry.target) > 100) throw new Error(`tar: symlink target too long: ${entry.target}`);
    block.write(entry.target, 157, 100, "utf8");
  }
  block.write("ustar\0", 257, 6, "ascii");
  block.write("00", 263, 2, "ascii");
  block.write(prefix, 345, 155, "utf8");
  // The checksum is computed with its own field read as eight spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii");
}

/** ustar keeps up to 100 bytes in `name` and 155 more in `prefix`, split at a slash. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== "/" || i === path.length - 1) continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(name) <= 100 && Buffer.byteLength(prefix) <= 155) return { name, prefix };
  }
  throw new Error(`tar: path too long: ${path}`);
}
