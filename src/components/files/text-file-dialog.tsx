"use client";
// A file opened from the folder view: small text files are shown and can be edited and saved (a PUT
// of the whole text); anything large or binary offers the download instead.
import { Download } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { Textarea } from "@/components/ui/textarea";
import type { FileEntry } from "@/lib/schemas/files";
import { formatBytes, uploadError } from "./upload-queue";

/** Files up to this size open in the page; larger ones are downloaded. */
export const EDITABLE_MAX_BYTES = 512 * 1024;

type Loaded = { kind: "text"; text: string } | { kind: "binary" } | { kind: "large" } | { kind: "error"; message: string };

export function TextFileDialog({ slotId, entry, url, onClose, onSaved }: { slotId: string; entry: FileEntry; url: string; onClose: () => void; onSaved: () => void }) {
  const [loaded, setLoaded] = useState<Loaded | null>(entry.size > EDITABLE_MAX_BYTES ? { kind: "large" } : null);
  const [draft, setDraft] = useState("");
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (entry.size > EDITABLE_MAX_BYTES) return;
    const abort = new AbortController();
    void (async () => {
      try {
        const res = await fetch(url, { signal: abort.signal });
        if (!res.ok) return setLoaded({ kind: "error", message: uploadError(res.status, await res.text()) });
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (bytes.includes(0)) return setLoaded({ kind: "binary" });
        const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        setLoaded({ kind: "text", text });
        setDraft(text);
      } catch (err) {
        if (abort.signal.aborted) return;
        setLoaded(err instanceof TypeError && /decode|encoded/i.test(err.message) ? { kind: "binary" } : { kind: "error", message: "The file could not be read; try again." });
      }
    })();
    return () => abort.abort();
  }, [url, entry.size]);

  async function save() {
    setSaving(true);
    try {
      const res = await fetch(url, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: new TextEncoder().encode(draft) });
      if (!res.ok) throw new Error(uploadError(res.status, await res.text()));
      toast.success(`Saved ${entry.name}`);
      onSaved();
      onClose();
    } catch (err) {
      toast.error(err instanceof Error ? err.message : "The file could not be saved.");
    } finally {
      setSaving(false);
    }
  }

  const dirty = loaded?.kind === "text" && draft !== loaded.text;
  return (
    <Dialog open onOpenChange={(v) => (v ? undefined : onClose())}>
      <DialogContent className="sm:max-w-3xl" data-slot-id={slotId}>
        <DialogHeader>
          <DialogTitle>{entry.name}</DialogTitle>
          <DialogDescription>
            {entry.path} · {formatBytes(entry.size)}
          </DialogDescription>
        </DialogHeader>
        {loaded === null ? (
          <div className="flex h-40 items-center justify-center">
            <Spinner />
          </div>
        ) : loaded.kind === "text" ? (
          <Textarea aria-label={`Contents of ${entry.name}`} value={draft} onChange={(e) => setDraft(e.target.value)} spellCheck={false} className="h-80 font-mono text-sm" />
        ) : (
          <p className="py-6 text-sm text-muted-foreground">
            {loaded.kind === "binary"
              ? "This is not a text file; download it to open it."
              : loaded.kind === "large"
                ? `Files over ${formatBytes(EDITABLE_MAX_BYTES)} open as a download, not in the page.`
                : loaded.message}
          </p>
        )}
        <DialogFooter>
          <Button variant="outline" asChild>
            <a href={url} download={entry.name}>
              <Download /> Download
            </a>
          </Button>
          {loaded?.kind === "text" ? (
            <Button onClick={() => void save()} disabled={!dirty || saving}>
              {saving ? <Spinner /> : null} Save
            </Button>
          ) : null}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
