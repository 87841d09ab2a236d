// Commands run in a slot through the exec API: the request, the record (status and output), history.
import { z } from "zod";
import { inputBoolean, IsoDate, PageQuery, pageOf } from "./common";
import { SlotId } from "./slots";

/** Default and longest run of one command, in ms. */
export const EXEC_DEFAULT_TIMEOUT_MS = 60_000;
export const EXEC_MAX_TIMEOUT_MS = 600_000;
/** Output kept per stream (stdout, stderr); beyond it the record says truncated (the stream form sends everything). */
export const EXEC_OUTPUT_CAP_BYTES = 1_048_576;

/** Text the engine passes to the kernel as C strings: no NUL inside. */
const cText = (what: string, max: number) =>
  z
    .string()
    .max(max, `${what} must be at most ${max} characters`)
    .refine((s) => !s.includes("\0"), `${what} cannot contain NUL bytes`);

export const ExecStatus = z
  .enum(["running", "exited", "timed_out", "cancelled", "failed"])
  .describe("running → exited (it ended by itself, whatever its exit code) · timed_out (timeoutMs passed; killed) · cancelled · failed (the engine could not run or follow it)");

export const ExecInput = SlotId.extend({
  command: z
    .union([
      cText("command", 65_536).refine((s) => s.trim().length > 0, "command cannot be empty"),
      z.array(cText("an argument", 65_536)).min(1, "command needs at least the program").max(4096, "at most 4096 arguments"),
    ], { error: 'command is required: an argv array such as ["ls", "-la"], or a string for the shell such as "ls -la | wc -l"' })
    .describe("An argv array, run directly (looked up on PATH), or a string run by the slot's shell (/bin/sh -c)"),
  cwd: cText("cwd", 4096)
    .refine((s) => s.startsWith("/"), "cwd must be an absolute path")
    .optional()
    .describe("Working directory inside the slot (default: the home, /home/berth)"),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "env names are letters, digits and _, not starting with a digit").max(256).refine((n) => n !== "BERTH_EXEC", "BERTH_EXEC is reserved"),
      cText("an env value", 32_768),
    )
    .refine((e) => Object.keys(e).length <= 100, "at most 100 env vars")
    .optional()
    .describe("Extra environment variables for this command (their names are kept in the history, never their values)"),
  timeoutMs: z
    .number()
    .int()
    .min(100, "timeoutMs must be at least 100")
    .max(EXEC_MAX_TIMEOUT_MS, `timeoutMs must be at most ${EXEC_MAX_TIMEOUT_MS}`)
    .optional()
    .describe(`Kill the command and everything it started after this long (default ${EXEC_DEFAULT_TIMEOUT_MS}, at most ${EXEC_MAX_TIMEOUT_MS}); the answer then says timedOut`),
  stdin: z.string().max(1_048_576).optional().describe("Written to the command's standard input, which is then closed (without it the command gets no stdin)"),
  async: inputBoolean("async")
    .optional()
    .describe("Answer 202 at once with the running record; the command goes on (GET …/execs/{execId} for its result, POST …/cancel to stop it)"),
});
export type ExecInput = z.infer<typeof ExecInput>;

const execFields = {
  id: z.string(),
  slotId: z.string(),
  command: z.array(z.string()).describe("argv, or [the string] when run by the shell"),
  shell: z.boolean().describe("The command was a string run by /bin/sh -c"),
  cwd: z.string().nullable(),
  envNames: z.array(z.string()).describe("Names of the env vars passed (values are never stored)"),
  status: ExecStatus,
  exitCode: z.number().int().nullable().describe("null while running or when unknown; 128+n after signal n (137: killed)"),
  timedOut: z.boolean(),
  truncated: z.boolean().describe(`stdout or stderr went past ${EXEC_OUTPUT_CAP_BYTES} bytes and was cut there`),
  timeoutMs: z.number().int().nullable(),
  durationMs: z.number().int().nullable().describe("Wall-clock time from start to exit; null while running"),
  createdAt: IsoDate,
  finishedAt: IsoDate.nullable(),
};

export const ExecSummary = z.object(execFields).meta({ id: "ExecSummary" });
export type ExecSummary = z.infer<typeof ExecSummary>;

export const ExecRecord = z
  .object({
    ...execFields,
    stdout: z.string().describe("UTF-8 text of standard output (NUL bytes shown as U+FFFD); so far, while running"),
    stderr: z.string().describe("UTF-8 text of standard error, the same way"),
  })
  .meta({ id: "Exec" });
export type ExecRecord = z.infer<typeof ExecRecord>;

export const ExecRef = SlotId.extend({ execId: z.string().min(1).max(64) });
export const ExecListInput = SlotId.extend(PageQuery.shape);
export const ExecList = pageOf(ExecSummary);

/** One line of the NDJSON stream (POST /slots/{id}/exec/stream); the exec's id is also in the X-Berth-Exec-Id header. */
export type ExecStreamEvent =
  | { type: "stdout" | "stderr"; data: string }
  | { type: "exit"; id: string; exitCode: number | null; timedOut: boolean; status: z.infer<typeof ExecStatus>; durationMs: number | null; truncated: boolean; error?: string };
