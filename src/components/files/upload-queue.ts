// Uploads from the browser: one PUT of the raw file per upload (XMLHttpRequest, the only browser API
// that reports upload progress), to /api/v1/slots/{id}/files/content. The server streams it into the
// slot and answers the API's error shape when a limit stops it; nothing is kept half-written there.

export type UploadState = {
  id: string;
  name: string;
  /** Where it goes in the home, e.g. "/src/app.py". */
  path: string;
  size: number;
  sent: number;
  status: "uploading" | "done" | "failed" | "cancelled";
  error?: string;
  abort: () => void;
};

/** "/a/b" + "c.txt" → "/a/b/c.txt"; "/" + "c.txt" → "/c.txt". */
export function joinPath(dir: string, name: string): string {
  return `${dir === "/" ? "" : dir}/${name}`;
}

/** The parent folder of a path ("/" for a top-level entry). */
export function parentPath(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}

/** A size for people: 0 B, 512 B, 1.5 KB, 20 MB (decimal units, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** The message of an API error body, or a sentence for the status when the body is not one. */
export function uploadError(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON: fall through
  }
  if (status === 413) return "The file is larger than your plan allows.";
  if (status === 0) return "The connection was lost; try again.";
  return `The upload failed (HTTP ${status}).`;
}

export function startUpload(
  slotId: string,
  file: File,
  path: string,
  onChange: (state: UploadState) => void,
): UploadState {
  const xhr = new XMLHttpRequest();
  const state: UploadState = {
    id: `${path}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    name: file.name,
    path,
    size: file.size,
    sent: 0,
    status: "uploading",
    abort: () => xhr.abort(),
  };
  const update = (patch: Partial<UploadState>) => {
    Object.assign(state, patch);
    onChange({ ...state });
  };
  xhr.upload.onprogress = (e) => update({ sent: e.loaded });
  xhr.onload = () => {
    if (xhr.status >= 200 && xhr.status < 300) update({ status: "done", sent: file.size });
    else update({ status: "failed", error: uploadError(xhr.status, xhr.responseText) });
  };
  xhr.onerror = () => update({ status: "failed", error: uploadError(0, "") });
  xhr.onabort = () => update({ status: "cancelled", error: "Cancelled; nothing was kept." });
  xhr.open("PUT", `/api/v1/slots/${encodeURIComponent(slotId)}/files/content?path=${encodeURIComponent(path)}`);
  xhr.setRequestHeader("Content-Type", "application/octet-stream");
  xhr.send(file);
  return state;
}
