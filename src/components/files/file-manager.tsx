"use client";
// /slots/{id}/files?path=/dir — the slot's home as a folder view: breadcrumbs, drag-and-drop upload
// with a progress bar per file, download, rename, delete (after a confirmation), a new folder, a
// folder as an archive, and a small text file opened for reading or editing. Works on a stopped
// slot too (the server reaches the home either way).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Download, File, FileArchive, Folder, FolderPlus, Link2, Pencil, Trash2, Upload, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useRef, useState, type DragEvent, type FormEvent } from "react";
import { toast } from "sonner";
import { ConfirmButton } from "@/components/confirm-button";
import { EmptyState } from "@/components/empty-state";
import { ErrorState } from "@/components/error-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { FileEntry } from "@/lib/schemas/files";
import { errorMessage, useTRPC } from "@/lib/trpc/react";
import { SlotStatusBadge } from "@/components/slots/slot-status-badge";
import { SlotSubpage } from "@/components/slots/slot-subpage";
import { TextFileDialog } from "./text-file-dialog";
import { formatBytes, joinPath, parentPath, startUpload, type UploadState } from "./upload-queue";

const contentUrl = (slotId: string, path: string) => `/api/v1/slots/${encodeURIComponent(slotId)}/files/content?path=${encodeURIComponent(path)}`;
const archiveUrl = (slotId: string, path: string) => `/api/v1/slots/${encodeURIComponent(slotId)}/files/archive?path=${encodeURIComponent(path)}&format=tar.gz`;

export function FileManager({ slotId, path }: { slotId: string; path: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.slots.files.list.queryOptions({ id: slotId, path }));
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [dragging, setDragging] = useState(false);
  const [renaming, setRenaming] = useState<FileEntry | null>(null);
  const [opened, setOpened] = useState<FileEntry | null>(null);
  const [newFolder, setNewFolder] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  // Every listing, not just this folder's: a move or upload changes another folder too (a cached
  // view of it would show the old contents when opened).
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: trpc.slots.files.list.pathKey() }), [queryClient, trpc]);
  const go = (to: string) => router.push(`/slots/${slotId}/files${to === "/" ? "" : `?path=${encodeURIComponent(to)}`}`);

  const remove = useMutation(
    trpc.slots.files.delete.mutationOptions({
      onSuccess: (_data, input) => {
        toast.success(`Deleted ${input.path.split("/").at(-1)}`);
        refresh();
      },
      onError: (err) => toast.error(errorMessage(err)),
    }),
  );

  function upload(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      startUpload(slotId, file, joinPath(path, file.name), (state) => {
        setUploads((all) => [...all.filter((u) => u.id !== state.id), state].sort((a, b) => a.id.localeCompare(b.id)));
        if (state.status === "done") refresh();
      });
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) upload(event.dataTransfer.files);
  }

  const crumbs = path === "/" ? [] : path.slice(1).split("/");
  const entries = list.data?.data ?? [];

  return (
    <SlotSubpage
      id={slotId}
      title="Files"
      description="The slot's home folder (/home/berth in the slot). Drop files anywhere on the list to upload them."
      actions={(s) => (
        <div className="flex flex-wrap items-center justify-end gap-2">
          <SlotStatusBadge status={s.status} />
          <Button size="sm" variant="outline" onClick={() => setNewFolder(true)}>
            <FolderPlus /> New folder
          </Button>
          <Button size="sm" variant="outline" asChild>
            <a href={archiveUrl(slotId, path)} download>
              <FileArchive /> Download folder
            </a>
          </Button>
          <Button size="sm" onClick={() => fileInput.current?.click()}>
            <Upload /> Upload
          </Button>
          <input
            ref={fileInput}
            type="file"
            multiple
            className="hidden"
            data-testid="file-input"
            onChange={(e) => {
              if (e.target.files) upload(e.target.files);
              e.target.value = "";
            }}
          />
        </div>
      )}
    >
      {() => (
        <>
          <nav aria-label="Folder" className="mb-3 flex flex-wrap items-center gap-1 text-sm">
            <button type="button" className="rounded px-1.5 py-0.5 font-medium hover:bg-muted" onClick={() => go("/")}>
              Home
            </button>
            {crumbs.map((name, i) => {
              const to = `/${crumbs.slice(0, i + 1).join("/")}`;
              return (
                <span key={to} className="flex items-center gap-1">
                  <span className="text-muted-foreground">/</span>
                  {i === crumbs.length - 1 ? (
                    <span aria-current="page" className="px-1.5 py-0.5">
                      {name}
                    </span>
                  ) : (
                    <button type="button" className="rounded px-1.5 py-0.5 hover:bg-muted" onClick={() => go(to)}>
                      {name}
                    </button>
                  )}
                </span>
              );
            })}
          </nav>

          {uploads.length > 0 ? <UploadList uploads={uploads} onClear={() => setUploads((all) => all.filter((u) => u.status === "uploading"))} /> : null}

          <div
            data-testid="file-drop-zone"
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            className={`rounded-lg transition ${dragging ? "ring-2 ring-primary ring-offset-2" : ""}`}
          >
            {list.isPending ? (
              <Skeleton className="h-64 w-full" />
            ) : list.isError ? (
              <ErrorState title="This folder cannot be shown" message={errorMessage(list.error)} />
            ) : entries.length === 0 ? (
              <EmptyState
                icon={Folder}
                title="This folder is empty"
                description="Drop files here, or use Upload. Files you make in the terminal show up here too."
                action={
                  path !== "/" ? (
                    <Button size="sm" variant="outline" onClick={() => go(parentPath(path))}>
                      Up one folder
                    </Button>
                  ) : undefined
                }
              />
            ) : (
              <Card className="py-0">
                <CardContent className="p-0">
                  <Table>
                    <TableHeader>
                      <TableRow>
                        <TableHead>Name</TableHead>
                        <TableHead className="w-28 text-right">Size</TableHead>
                        <TableHead className="hidden w-48 md:table-cell">Modified</TableHead>
                        <TableHead className="w-36 text-right">
                          <span className="sr-only">Actions</span>
                        </TableHead>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {entries.map((entry) => (
                        <TableRow key={entry.path} data-testid={`file-row-${entry.name}`}>
                          <TableCell>
                            <button
                              type="button"
                              className="flex items-center gap-2 text-left hover:underline"
                              onClick={() => (entry.type === "directory" ? go(entry.path) : entry.type === "file" ? setOpened(entry) : undefined)}
                            >
                              {entry.type === "directory" ? <Folder className="size-4 text-sky-600" /> : entry.type === "symlink" ? <Link2 className="size-4 text-muted-foreground" /> : <File className="size-4 text-muted-foreground" />}
                              <span>{entry.name}</span>
                            </button>
                          </TableCell>
                          <TableCell className="text-right tabular-nums text-muted-foreground">{entry.type === "file" ? formatBytes(entry.size) : "—"}</TableCell>
                          <TableCell className="hidden text-muted-foreground md:table-cell">{new Date(entry.modifiedAt).toLocaleString()}</TableCell>
                          <TableCell>
                            <div className="flex justify-end gap-1">
                              {entry.type === "file" ? (
                                <Button size="icon" variant="ghost" asChild title={`Download ${entry.name}`}>
                                  <a href={contentUrl(slotId, entry.path)} download={entry.name} aria-label={`Download ${entry.name}`}>
                                    <Download />
                                  </a>
                                </Button>
                              ) : null}
                              <Button size="icon" variant="ghost" title={`Rename ${entry.name}`} aria-label={`Rename ${entry.name}`} onClick={() => setRenaming(entry)}>
                                <Pencil />
                              </Button>
                              <ConfirmButton
                                title={`Delete ${entry.name}?`}
                                description={entry.type === "directory" ? `The folder ${entry.name} and everything in it will be deleted from the slot. This cannot be undone.` : `${entry.name} will be deleted from the slot. This cannot be undone.`}
                                confirmLabel="Delete"
                                onConfirm={() => remove.mutate({ id: slotId, path: entry.path, recursive: entry.type === "directory" })}
                                variant="ghost"
                                size="icon"
                              >
                                <Trash2 />
                                <span className="sr-only">Delete {entry.name}</span>
                              </ConfirmButton>
                            </div>
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                  {list.data?.truncated ? <p className="border-t p-3 text-sm text-muted-foreground">Showing {entries.length} of {list.data.total} entries; open the terminal to see them all.</p> : null}
                </CardContent>
              </Card>
            )}
          </div>

          <NewFolderDialog open={newFolder} onOpenChange={setNewFolder} slotId={slotId} dir={path} onDone={refresh} />
          {renaming ? <RenameDialog entry={renaming} slotId={slotId} onClose={() => setRenaming(null)} onDone={refresh} /> : null}
          {opened ? <TextFileDialog slotId={slotId} entry={opened} url={contentUrl(slotId, opened.path)} onClose={() => setOpened(null)} onSaved={refresh} /> : null}
        </>
      )}
    </SlotSubpage>
  );
}

function UploadList({ uploads, onClear }: { uploads: UploadState[]; onClear: () => void }) {
  const busy = uploads.some((u) => u.status === "uploading");
  return (
    <Card className="mb-4 py-0">
      <CardContent className="grid gap-3 p-4" aria-live="polite">
        <div className="flex items-center justify-between">
          <p className="text-sm font-medium">{busy ? "Uploading…" : "Uploads"}</p>
          {!busy ? (
            <Button size="sm" variant="ghost" onClick={onClear}>
              Clear
            </Button>
          ) : null}
        </div>
        {uploads.map((u) => {
          const pct = u.size > 0 ? Math.round((u.sent / u.size) * 100) : u.status === "done" ? 100 : 0;
          return (
            <div key={u.id} className="grid gap-1" data-testid={`upload-${u.name}`}>
              <div className="flex items-center justify-between gap-2 text-sm">
                <span className="truncate">{u.name}</span>
                <span className={u.status === "failed" ? "text-destructive" : "text-muted-foreground"}>
                  {u.status === "uploading" ? `${pct}% of ${formatBytes(u.size)}` : u.status === "done" ? "Uploaded" : u.status === "cancelled" ? "Cancelled" : "Failed"}
                  {u.status === "uploading" ? (
                    <button type="button" className="ml-2 align-middle" aria-label={`Cancel ${u.name}`} onClick={u.abort}>
                      <X className="inline size-3.5" />
                    </button>
                  ) : null}
                </span>
              </div>
              <div className="h-1.5 overflow-hidden rounded bg-muted" role="progressbar" aria-label={`Upload of ${u.name}`} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
                <div className={`h-full ${u.status === "failed" ? "bg-destructive" : "bg-primary"}`} style={{ width: `${u.status === "failed" ? 100 : pct}%` }} />
              </div>
              {u.error && u.status !== "uploading" ? <p className="text-sm text-destructive">{u.error}</p> : null}
            </div>
          );
        })}
      </CardContent>
    </Card>
  );
}

function NewFolderDialog({ open, onOpenChange, slotId, dir, onDone }: { open: boolean; onOpenChange: (v: boolean) => void; slotId: string; dir: string; onDone: () => void }) {
  const trpc = useTRPC();
  const mkdir = useMutation(
    trpc.slots.files.mkdir.mutationOptions({
      onSuccess: (entry) => {
        toast.success(`Made ${entry.name}`);
        onOpenChange(false);
        onDone();
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("folderName") ?? "").trim();
    if (name) mkdir.mutate({ id: slotId, path: joinPath(dir, name) });
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(v) => {
        mkdir.reset();
        onOpenChange(v);
      }}
    >
      <DialogContent>
        <form onSubmit={onSubmit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>New folder</DialogTitle>
            <DialogDescription>In {dir === "/" ? "the home folder" : dir}.</DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="folderName">Name</Label>
            <Input id="folderName" name="folderName" autoFocus required maxLength={255} />
            {mkdir.error ? <p className="text-sm text-destructive">{errorMessage(mkdir.error)}</p> : null}
          </div>
          <DialogFooter>
            <Button type="submit" disabled={mkdir.isPending}>
              {mkdir.isPending ? <Spinner /> : null} Make folder
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function RenameDialog({ entry, slotId, onClose, onDone }: { entry: FileEntry; slotId: string; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const move = useMutation(
    trpc.slots.files.move.mutationOptions({
      onSuccess: (moved) => {
        toast.success(`Renamed to ${moved.name}`);
        onClose();
        onDone();
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("newName") ?? "").trim();
    if (!name || name === entry.name) return onClose();
    // A name with "/" moves it: relative to the home when it starts with "/", else to this folder.
    move.mutate({ id: slotId, from: entry.path, to: name.startsWith("/") ? name : joinPath(parentPath(entry.path), name) });
  }
  return (
    <Dialog open onOpenChange={(v) => (v ? undefined : onClose())}>
      <DialogContent>
        <form onSubmit={onSubmit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Rename {entry.name}</DialogTitle>
            <DialogDescription>A new name, or a path from the home (e.g. /archive/{entry.name}) to move it.</DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor="newName">New name</Label>
            <Input id="newName" name="newName" defaultValue={entry.name} autoFocus required maxLength={4096} />
            {move.error ? <p className="text-sm text-destructive">{errorMessage(move.error)}</p> : null}
          </div>
          <DialogFooter>
            <Button type="submit" disabled={move.isPending}>
              {move.isPending ? <Spinner /> : null} Rename
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
