// Files in a slot's home: paths (checked and normalized here, once, for every route), entries, inputs.
import { z } from "zod";
import { inputBoolean, IsoDate } from "./common";
import { SlotId } from "./slots";

/** Longest path (in UTF-8 bytes) and name, as Linux allows (PATH_MAX, NAME_MAX). */
export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;
/** Most entries one listing answers (one engine call; the rest is counted, not sent). */
export const MAX_LIST_ENTRIES = 5000;

/**
 * Percent-encoded forms of ".", "/", "\" and NUL, including double encoding (%252e) and the overlong
 * UTF-8 forms old servers decoded (%c0%ae). Decoded here only to *check* a name: a name is stored
 * as sent, so "%2e%2e" could only ever be a file literally called that, but nothing that some other
 * layer might decode into ".." is accepted.
 */
const ENCODED: Array<[RegExp, string]> = [
  [/%25/gi, "%"],
  [/%2e|%c0%ae|%e0%80%ae|%u002e/gi, "."],
  [/%2f|%c0%af|%e0%80%af|%u2215/gi, "/"],
  [/%5c|%c1%9c|%u005c/gi, "\\"],
  [/%00/g, "\0"],
];

function decodedForms(name: string): string[] {
  const forms = [name];
  let current = name;
  for (let i = 0; i < 4; i++) {
    let next = current;
    for (const [re, ch] of ENCODED) next = next.replace(re, ch);
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}

export type SlotPath =
  | { ok: true; /** "/" for the home, else "/a/b" */ path: string; parts: string[] }
  | { ok: false; message: string };

/**
 * A path in the slot's home, as the API takes it: "/" (or "") is the home itself; every path is
 * relative to the home, so "/etc/passwd" names ~/etc/passwd, never the system's. Refused: NUL,
 * "..", a component that decodes to "." or ".." or holds a "\.." segment in any encoding, a name
 * over 255 bytes, a path over 4096 bytes. "." and empty components are dropped. Unicode
 * look-alikes of dots ("．．", "‥") are ordinary names: Linux gives them no meaning.
 */
export function parseSlotPath(raw: string): SlotPath {
  if (raw.includes("\0")) return { ok: false, message: "A path cannot contain NUL bytes." };
  if (Buffer.byteLength(raw, "utf8") > MAX_PATH_BYTES) return { ok: false, message: `A path is at most ${MAX_PATH_BYTES} bytes.` };
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return { ok: false, message: 'A path cannot contain "..": paths stay inside the slot\'s home.' };
    if (Buffer.byteLength(part, "utf8") > MAX_NAME_BYTES) return { ok: false, message: `A file or folder name is at most ${MAX_NAME_BYTES} bytes.` };
    for (const form of decodedForms(part)) {
      if (form.includes("\0")) return { ok: false, message: "A path cannot contain NUL bytes, encoded or not." };
      if (form === part && !part.includes("\\")) continue;
      if (form.split(/[/\\]/).some((s) => s === ".." || s === ".")) {
        return { ok: false, message: 'A path cannot contain an encoded or backslashed "." or "..": paths stay inside the slot\'s home.' };
      }
    }
    parts.push(part);
  }
  return { ok: true, path: `/${parts.join("/")}`, parts };
}

/** A path parameter: checked and normalized to "/a/b". */
export const FilePath = z
  .string({ error: "path is required" })
  .transform((raw, ctx) => {
    const parsed = parseSlotPath(raw);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }
    return parsed.path;
  })
  .describe('A path in the slot\'s home: "/" is the home itself (/home/berth in the slot), "/src/app.py" a file in it');

export const FileType = z.enum(["file", "directory", "symlink", "other"]).describe("symlink: the link itself (Berth never follows a link that leaves the home)");

export const FileEntry = z
  .object({
    name: z.string().describe('The last component ("" for the home itself)'),
    path: z.string().describe('From the home, starting with "/"'),
    type: FileType,
    size: z.number().int().describe("Bytes (0 for anything but a file)"),
    modifiedAt: IsoDate,
  })
  .meta({ id: "FileEntry" });
export type FileEntry = z.infer<typeof FileEntry>;

export const FileList = z
  .object({
    data: z.array(FileEntry).describe("Folders first, then files, each by name"),
    nextCursor: z.null(),
    total: z.number().int().describe(`Entries in the folder; at most ${MAX_LIST_ENTRIES} are listed`),
    truncated: z.boolean(),
  })
  .meta({ id: "FileList" });
export type FileList = z.infer<typeof FileList>;

export const FilePathInput = SlotId.extend({ path: FilePath.default("/") });
export const FileDeleteInput = SlotId.extend({
  path: FilePath,
  // The pipe lets the REST adapter take it from the query string (it refuses a bare union there).
  recursive: inputBoolean("recursive").pipe(z.boolean()).default(false).describe("Required to delete a folder (with everything in it)"),
});
export const FileMkdirInput = SlotId.extend({ path: FilePath.describe("The folder to make, with any missing parents (an existing folder is fine)") });
export const FileMoveInput = SlotId.extend({
  from: FilePath,
  to: FilePath.describe("The new path; its folder must exist"),
  overwrite: inputBoolean("overwrite").default(false).describe("Replace a file (or an empty folder) already at `to`; otherwise CONFLICT"),
});

export const FileUploaded = z.object({ path: z.string(), size: z.number().int() }).meta({ id: "FileUploaded" });
export type FileUploaded = z.infer<typeof FileUploaded>;

export const ArchiveFormat = z.enum(["tar", "tar.gz"]);
