// bench/terminal.ts — the browser terminal through Berth (ticket POST + WebSocket → broker → TTY exec
// → tmux) against the raw baseline measured in the same run and the same container: a dockerode TTY
// exec as uid 1000 running tmux, hijacked stream, nothing in between (bench/raw-terminal.ts).
//   1. open → first prompt: ticket POST + socket until the shell's prompt, vs exec create/start/resize
//      of `tmux new-session -A -s raw<n>` until the prompt; a new tmux session (a new shell) each time.
//   2. keystroke echo: one byte typed at a bash prompt until it comes back (then erased), alternating.
//   3. output throughput: `cat` of a ~40 MB base64 file then an end marker, wall time and bytes the
//      client received; tmux repaints screens rather than passing every byte, so Berth is compared
//      with raw tmux (same bytes path but the broker), and a plain TTY exec (no tmux) is shown too.
//   4. echo p99 with BENCH_SESSIONS (400) Berth sockets open at once over BENCH_SESSION_SLOTS (4)
//      slots, each its own tmux session, after 5 s to settle; a raw TTY exec echoes alongside, so
//      what the crowd costs in the slot (tmux polls every fd of its server) is told apart from Berth's.
//   5. Ctrl-C under `yes`: \x03 sent until the prompt is back.
// Prints each figure and its ratio to raw; asserts nothing. Berth's {"type":"ping"} round trip is
// shown beside the echo: the socket + broker hop alone, with no engine behind it.
//   npm run build && npm run bench:terminal   (Docker with berth/workspace built, a PostgreSQL server)
//   BENCH_POSTGRES_URL=postgres://user@host:5432/postgres   the server to make the database on
import { benchApi, rssMiB, sleep, startBenchServer } from "./bench-server";
import { docker, median } from "./raw-docker";
import { openBerthTerm, openRawTerm, percentile as pct, type BerthTerm, type RawTerm, type Term } from "./raw-terminal";

const PORT = Number(process.env.BENCH_PORT ?? 3402);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ECHOES = Number(process.env.BENCH_ECHOES ?? 300);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 400);
const SESSION_SLOTS = Number(process.env.BENCH_SESSION_SLOTS ?? 4);
const OPEN_CONCURRENCY = Number(process.env.BENCH_OPEN_CONCURRENCY ?? 16);
const IMAGE = "berth/workspace:latest";
const RESOURCES = { cpuMillicores: 1000, memoryMiB: 1024, diskMiB: 512 };
const base = `http://127.0.0.1:${PORT}`;
const wsBase = `ws://127.0.0.1:${PORT}`;
const PROMPT = "PROMPT> ";
/** Typed so that its echo differs from what it prints: the echo shows PR''OMPT, the shell PROMPT. */
const SET_PROMPT = "export PS1='PR''OMPT> '\r";
/** The end marker of `cat`: '#' is not in base64, so the file never contains it; the typed echo differs. */
const END = "##END##";
const END_TYPED = "'#''#END##'";
const FIRST_PROMPT = /\$ /; // bash's default prompt ends in "$ "
const ms = (x: number) => x.toFixed(x < 10 ? 2 : 1).padStart(8);
const { must } = benchApi(base);

// ── Measurements ───────────────────────────────────────────────────────────────────────────

/** Berth: ticket POST + socket until the first prompt. */
async function berthOpen(token: string, slotId: string, session: string): Promise<{ ms: number; ticketMs: number; upgradeMs: number; firstMs: number; term: BerthTerm }> {
  const t0 = performance.now();
  const { url } = await must<{ url: string }>(token, "POST", `/slots/${slotId}/terminal/tickets`);
  const ticketMs = performance.now() - t0;
  const term = openBerthTerm(wsBase, `${url}&session=${session}&cols=80&rows=24`);
  const at = await Promise.race([term.waitFor(FIRST_PROMPT, 0, 60_000), term.closed.then((c) => Promise.reject(new Error(`closed ${c.code} ${c.reason} ${JSON.stringify(term.controls)}`)))]);
  // The socket opens once the broker has authorized it (the upgrade is answered after the checks).
  return { ms: at - t0, ticketMs, upgradeMs: (await term.openedAt) - t0 - ticketMs, firstMs: term.firstAt - (await term.openedAt), term };
}

/** `server`: a tmux server of its own (-L), instead of the slot's default one that Berth's sessions share. */
async function rawOpen(containerName: string, session: string, server?: string): Promise<{ ms: number; startMs: number; firstMs: number; term: RawTerm }> {
  const t0 = performance.now();
  const term = await openRawTerm(docker.getContainer(containerName), { cmd: ["tmux", ...(server ? ["-L", server] : []), "new-session", "-A", "-s", session] });
  const at = await term.waitFor(FIRST_PROMPT, 0, 60_000);
  return { ms: at - t0, startMs: term.startedAt - t0, firstMs: term.firstAt - term.startedAt, term };
}

/** Types one byte at the prompt until it is echoed, then erases it (not timed). */
async function echoOnce(term: Term): Promise<number> {
  const from = term.received;
  const t0 = performance.now();
  term.send("x");
  const at = await term.waitFor("x", from, 10_000);
  const from2 = term.received;
  term.send("\x7f");
  await term.waitFor(/[\s\S]/, from2, 10_000);
  return at - t0;
}

async function setPrompt(term: Term): Promise<void> {
  const from = term.received;
  term.send(SET_PROMPT);
  await term.waitFor(PROMPT, from);
}

/** `cat` of the big file, then an end marker; wall time and bytes received until the marker. */
async function catOnce(term: Term): Promise<{ ms: number; bytes: number }> {
  const from = term.received;
  const t0 = performance.now();
  term.send(`cat ~/bench-big.txt; echo ${END_TYPED}\r`);
  const at = await term.waitFor(END, from, 300_000);
  const bytes = term.received - from;
  await term.waitFor(PROMPT, from + bytes - 200, 30_000).catch(() => undefined);
  await sleep(200);
  return { ms: at - t0, bytes };
}

/** A plain TTY exec without tmux: every byte of the file goes through. */
async function catPlain(containerName: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const term = await openRawTerm(docker.getContainer(containerName), { cmd: ["sh", "-c", `cat ~/bench-big.txt; echo ${END_TYPED}`] });
  const at = await term.waitFor(END, 0, 300_000);
  const bytes = term.received;
  term.close();
  return { ms: at - t0, bytes };
}

/** `yes` for a second, then Ctrl-C until the prompt is back; also what arrived meanwhile. */
async function ctrlC(term: Term): Promise<{ ms: number; bytesAfter: number }> {
  term.send("yes\r");
  await sleep(1_000);
  const from = term.received;
  const t0 = performance.now();
  term.send("\x03");
  const at = await term.waitFor(PROMPT, from, 30_000);
  const bytesAfter = term.received - from;
  await sleep(300);
  return { ms: at - t0, bytesAfter };
}

/** Runs `fn` on `n` items, `concurrency` at a time. */
async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

async function main() {
  if (await fetch(`${base}/api/health`).then(() => true, () => false)) throw new Error(`port ${PORT} is taken (another bench still running?): set BENCH_PORT`);
  const nodeArgs = process.env.BENCH_CPU_PROF ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const server = await startBenchServer({ name: "terminal", port: PORT, admin: true, nodeArgs });
  const { runId, sql, adminEmail, password } = server;
  let token = "";
  const slotIds: string[] = [];
  const terms: Term[] = [];
  try {
    const adminToken = (await must<{ accessToken: string }>(null, "POST", "/auth/token", { email: adminEmail, password })).accessToken;
    const email = `bench-${runId}@example.com`;
    const registered = await must<{ user: { id: string } }>(null, "POST", "/auth/register", { email, password });
    token = (await must<{ accessToken: string }>(null, "POST", "/auth/token", { email, password })).accessToken;
    const tpl = await must<{ id: string }>(adminToken, "POST", "/admin/templates", { slug: `bench-ws-${runId}`, name: "Workspace (bench)", image: IMAGE, resources: RESOURCES });
    await must(adminToken, "PATCH", `/admin/users/${registered.user.id}`, { plan: "team", limits: { slots: SESSION_SLOTS + 5, maxRunning: SESSION_SLOTS + 5 } });
    const createSlot = async (name: string) => {
      const { slot } = await must<{ slot: { id: string; status: string } }>(token, "POST", "/slots", { name, templateId: tpl.id, resources: RESOURCES, wait: true });
      slotIds.push(slot.id);
      if (slot.status !== "running") throw new Error(`slot ${slot.id} is ${slot.status}`);
      return slot.id;
    };
    const slotId = await createSlot("bench-terminal");
    const container = `berth-${slotId}`;
    const rssStart = rssMiB(server.pid);

    // Warm-up: the tmux server, the JIT, the engine's exec path.
    for (let i = 0; i < 2; i++) {
      const b = await berthOpen(token, slotId, "main");
      const r = await rawOpen(container, "rawmain");
      terms.push(b.term, r.term);
    }

    // 1. open → first prompt, alternating. Sockets stay open until the end of the phase, so the
    //    marker kills of closed sockets do not run under the next round.
    const open = { berth: [] as number[], ticket: [] as number[], upgrade: [] as number[], first: [] as number[], raw: [] as number[], rawStart: [] as number[], rawFirst: [] as number[] };
    const opened: Term[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const b = await berthOpen(token, slotId, `o${i}`);
      open.berth.push(b.ms);
      open.ticket.push(b.ticketMs);
      open.upgrade.push(b.upgradeMs);
      open.first.push(b.firstMs);
      const r = await rawOpen(container, `raw${i}`);
      open.raw.push(r.ms);
      open.rawStart.push(r.startMs);
      open.rawFirst.push(r.firstMs);
      opened.push(b.term, r.term);
      await sleep(100);
    }
    for (const t of opened) t.close();
    await sleep(3_000);

    // 2. keystroke echo, alternating sample by sample.
    const eb = (await berthOpen(token, slotId, "echo-berth")).term;
    const er = (await rawOpen(container, "echo-raw")).term;
    terms.push(eb, er);
    await setPrompt(eb);
    await setPrompt(er);
    for (let i = 0; i < 20; i++) {
      await echoOnce(eb);
      await echoOnce(er);
    }
    const echo = { berth: [] as number[], raw: [] as number[], ping: [] as number[] };
    for (let i = 0; i < ECHOES; i++) {
      echo.berth.push(await echoOnce(eb));
      echo.raw.push(await echoOnce(er));
      echo.ping.push(await eb.ping());
      await sleep(5);
    }

    // 3. throughput: a ~40 MB file of base64 lines in the slot's home.
    const prep = await openRawTerm(docker.getContainer(container), { cmd: ["sh", "-c", "head -c 30000000 /dev/urandom | base64 -w 76 > ~/bench-big.txt; wc -c < ~/bench-big.txt; echo PR''EPARED"] });
    await prep.waitFor("PREPARED", 0, 120_000);
    const fileBytes = Number(/(\d+)/.exec(prep.since(0))![1]);
    prep.close();
    const thr = { berth: [] as { ms: number; bytes: number }[], raw: [] as { ms: number; bytes: number }[], plain: [] as { ms: number; bytes: number }[] };
    for (let i = 0; i < 3; i++) {
      thr.berth.push(await catOnce(eb));
      thr.raw.push(await catOnce(er));
      thr.plain.push(await catPlain(container));
    }

    // 5. Ctrl-C under yes.
    const cc = { berth: [] as { ms: number; bytesAfter: number }[], raw: [] as { ms: number; bytesAfter: number }[] };
    for (let i = 0; i < 5; i++) {
      cc.berth.push(await ctrlC(eb));
      cc.raw.push(await ctrlC(er));
    }

    // 4. BENCH_SESSIONS sockets at once over SESSION_SLOTS fresh slots, each its own tmux session.
    const manySlots = await pool(SESSION_SLOTS, Math.min(SESSION_SLOTS, 8), (i) => createSlot(`bench-many-${i}`));
    const rssBeforeMany = rssMiB(server.pid);
    const failures: string[] = [];
    const many: (BerthTerm | null)[] = [];
    const openMs: number[] = [];
    const tMany0 = performance.now();
    await pool(SESSIONS, OPEN_CONCURRENCY, async (i) => {
      try {
        const b = await berthOpen(token, manySlots[i % SESSION_SLOTS]!, `c${i}`);
        many[i] = b.term;
        openMs.push(b.ms);
      } catch (err) {
        many[i] = null;
        failures.push(`#${i}: ${(err as Error).message.slice(0, 300)}`);
      }
    });
    const manyOpenS = (performance.now() - tMany0) / 1000;
    const live = many.filter((t): t is BerthTerm => !!t && t.ws.readyState === t.ws.OPEN);
    terms.push(...live);
    await sleep(5_000); // the last shells' start-up and the tmux servers settle: measure the steady state
    const probes = manySlots.map((_, s) => many.find((t, i) => t && i % SESSION_SLOTS === s && t.ws.readyState === t.ws.OPEN)).filter((t): t is BerthTerm => !!t);
    for (const p of probes) await setPrompt(p);
    for (const p of probes) for (let i = 0; i < 10; i++) await echoOnce(p);
    // The raw baseline in the same conditions: a TTY exec into the first of those slots, its own session.
    const rawProbe = (await rawOpen(`berth-${manySlots[0]}`, "rawprobe")).term;
    // And one on a tmux server of its own in the same slot: tmux polls every fd of its server per loop.
    const ownProbe = (await rawOpen(`berth-${manySlots[0]}`, "ownprobe", "ownprobe")).term;
    terms.push(rawProbe, ownProbe);
    for (const p of [rawProbe, ownProbe]) {
      await setPrompt(p);
      for (let i = 0; i < 10; i++) await echoOnce(p);
    }
    const ownMany: number[] = [];
    const echoMany: number[] = [];
    const pingMany: number[] = [];
    const rawMany: number[] = [];
    for (let i = 0; i < ECHOES; i++) {
      echoMany.push(await echoOnce(probes[i % probes.length]!));
      pingMany.push(await probes[i % probes.length]!.ping());
      rawMany.push(await echoOnce(rawProbe));
      ownMany.push(await echoOnce(ownProbe));
      await sleep(5);
    }
    const rssMany = rssMiB(server.pid);
    const stillOpen = many.filter((t) => t && t.ws.readyState === t.ws.OPEN).length;
    const procs = await openRawTerm(docker.getContainer(`berth-${manySlots[0]}`), { cmd: ["sh", "-c", "echo N=$(ls -d /proc/[0-9]* | wc -l) T=$(tmux ls 2>/dev/null | wc -l); echo DO''NE"] });
    await procs.waitFor("DONE", 0, 30_000).catch(() => undefined);
    const procLine = /N=\d+ T=\d+/.exec(procs.since(0))?.[0] ?? "?";
    procs.close();

    // Report.
    const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    const mbps = (bytes: number, t: number) => ((bytes / 1e6) / (t / 1000)).toFixed(1);
    const medOf = (xs: { ms: number; bytes: number }[]) => ({ ms: median(xs.map((x) => x.ms)), bytes: median(xs.map((x) => x.bytes)) });
    const tb = medOf(thr.berth);
    const tr = medOf(thr.raw);
    const tp = medOf(thr.plain);
    console.log(`\nBerth terminal benchmark — ${IMAGE}, slot ${RESOURCES.cpuMillicores} mCPU / ${RESOURCES.memoryMiB} MiB, loopback, raw = dockerode TTY exec in the same container\n`);
    console.log("                                               p50        p90        p99   (ms)");
    console.log(`1 open→prompt  Berth (ticket POST + socket) ${ms(median(open.berth))} ${ms(pct(open.berth, 90))} ${ms(pct(open.berth, 99))}   n=${ROUNDS}`);
    console.log(`                 of which ticket POST        ${ms(median(open.ticket))} ${ms(pct(open.ticket, 90))} ${ms(pct(open.ticket, 99))}`);
    console.log(`                 of which upgrade (authorize) ${ms(median(open.upgrade))} ${ms(pct(open.upgrade, 90))} ${ms(pct(open.upgrade, 99))}`);
    console.log(`                 open → first output byte    ${ms(median(open.first))} ${ms(pct(open.first, 90))} ${ms(pct(open.first, 99))}   (exec create/start/resize + attach script)`);
    console.log(`               raw (exec tmux new-session)  ${ms(median(open.raw))} ${ms(pct(open.raw, 90))} ${ms(pct(open.raw, 99))}`);
    console.log(`                 of which exec create+start  ${ms(median(open.rawStart))} ${ms(pct(open.rawStart, 90))} ${ms(pct(open.rawStart, 99))}`);
    console.log(`                 start → first output byte   ${ms(median(open.rawFirst))} ${ms(pct(open.rawFirst, 90))} ${ms(pct(open.rawFirst, 99))}`);
    console.log(`               Berth/raw = ${r(median(open.berth), median(open.raw))} (p50)   target ≤ 1.5×   ${median(open.berth) / median(open.raw) <= 1.5 ? "MET" : "MISSED"}`);
    console.log(`2 echo         Berth                        ${ms(median(echo.berth))} ${ms(pct(echo.berth, 90))} ${ms(pct(echo.berth, 99))}   n=${ECHOES}`);
    console.log(`               raw exec TTY (tmux)          ${ms(median(echo.raw))} ${ms(pct(echo.raw, 90))} ${ms(pct(echo.raw, 99))}`);
    console.log(`               Berth control ping (no engine)${ms(median(echo.ping))} ${ms(pct(echo.ping, 90))} ${ms(pct(echo.ping, 99))}   {"type":"ping"} → pong round trip`);
    console.log(`               Berth/raw p50 = ${r(median(echo.berth), median(echo.raw))}, p99 = ${r(pct(echo.berth, 99), pct(echo.raw, 99))}   target p50 ≤ 1.5×   ${median(echo.berth) / median(echo.raw) <= 1.5 ? "MET" : "MISSED"}`);
    console.log(`3 throughput   cat of ${(fileBytes / 1e6).toFixed(1)} MB base64 + end marker (median of 3): wall ms, bytes the client received`);
    console.log(`               Berth (via tmux)    ${ms(tb.ms)} ms  ${(tb.bytes / 1e6).toFixed(2).padStart(7)} MB received  ${mbps(fileBytes, tb.ms)} MB/s of file  ${mbps(tb.bytes, tb.ms)} MB/s received`);
    console.log(`               raw tmux exec       ${ms(tr.ms)} ms  ${(tr.bytes / 1e6).toFixed(2).padStart(7)} MB received  ${mbps(fileBytes, tr.ms)} MB/s of file  ${mbps(tr.bytes, tr.ms)} MB/s received`);
    console.log(`               raw plain TTY exec  ${ms(tp.ms)} ms  ${(tp.bytes / 1e6).toFixed(2).padStart(7)} MB received  ${mbps(fileBytes, tp.ms)} MB/s of file (no tmux: every byte; includes exec create)`);
    const thrPct = (tr.ms / tb.ms) * 100;
    console.log(`               Berth vs raw tmux: ${thrPct.toFixed(0)}% of raw's file rate (time ratio), ${((tb.bytes / tb.ms / (tr.bytes / tr.ms)) * 100).toFixed(0)}% of its received rate; vs plain TTY ${((tp.ms / tb.ms) * 100).toFixed(0)}% of file rate   target ≥ 70%   ${thrPct >= 70 ? "MET" : "MISSED"}`);
    console.log(`4 ${SESSIONS} sessions  opened ${live.length}/${SESSIONS} over ${SESSION_SLOTS} slots in ${manyOpenS.toFixed(1)} s (${OPEN_CONCURRENCY} at a time; open p50 ${median(openMs).toFixed(0)} ms, p99 ${pct(openMs, 99).toFixed(0)} ms); ${stillOpen} still open after the echoes`);
    console.log(`               echo with all open           ${ms(median(echoMany))} ${ms(pct(echoMany, 90))} ${ms(pct(echoMany, 99))}   n=${ECHOES} on ${probes.length} sessions   target p99 ≤ 4 ms   ${pct(echoMany, 99) <= 4 ? "MET" : "MISSED"}`);
    console.log(`               raw exec TTY echo, same time ${ms(median(rawMany))} ${ms(pct(rawMany, 90))} ${ms(pct(rawMany, 99))}   (Berth/raw p50 ${r(median(echoMany), median(rawMany))}, p99 ${r(pct(echoMany, 99), pct(rawMany, 99))})`);
    console.log(`               raw, own tmux server (-L)    ${ms(median(ownMany))} ${ms(pct(ownMany, 90))} ${ms(pct(ownMany, 99))}   (same slot; not sharing the server of ${SESSIONS / SESSION_SLOTS} sessions)`);
    console.log(`               control ping with all open   ${ms(median(pingMany))} ${ms(pct(pingMany, 90))} ${ms(pct(pingMany, 99))}`);
    console.log(`               server RSS ${rssStart.toFixed(0)} MiB at start, ${rssBeforeMany.toFixed(0)} before, ${rssMany.toFixed(0)} MiB with them open; slot 1: ${procLine} (processes, tmux sessions)`);
    if (failures.length) console.log(`               ${failures.length} failed; first: ${failures.slice(0, 3).join(" | ")}`);
    const ccb = cc.berth.map((x) => x.ms);
    const ccr = cc.raw.map((x) => x.ms);
    console.log(`5 Ctrl-C       Berth  median ${median(ccb).toFixed(0)} ms, max ${Math.max(...ccb).toFixed(0)} ms (${(median(cc.berth.map((x) => x.bytesAfter)) / 1e3).toFixed(0)} kB arrived after ^C)`);
    console.log(`               raw    median ${median(ccr).toFixed(0)} ms, max ${Math.max(...ccr).toFixed(0)} ms (${(median(cc.raw.map((x) => x.bytesAfter)) / 1e3).toFixed(0)} kB)   Berth/raw ${r(median(ccb), median(ccr))}   target ≤ 500 ms   ${Math.max(...ccb) <= 500 ? "MET" : "MISSED"}`);
    if (process.env.BENCH_RAW_JSON) console.log(JSON.stringify({ open, echo, thr, cc, echoMany, pingMany, rawMany, ownMany, openMs }));
  } finally {
    // Slots go through the API (home disks removed with them); the sockets end with their containers.
    if (token) {
      await Promise.all(slotIds.map((id) => must(token, "DELETE", `/slots/${id}`).catch((err: unknown) => console.error(`delete ${id}: ${String(err)}`))));
      for (const until = Date.now() + 120_000; Date.now() < until; await sleep(500)) {
        const left = (await sql`select count(*)::int as n from slots where status <> 'deleted'`.catch(() => [{ n: 0 }])) as unknown as { n: number }[];
        if (!left[0]?.n) break;
      }
    }
    for (const t of terms) t.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
