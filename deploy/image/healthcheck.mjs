// @ts-check
// The image's HEALTHCHECK: GET /healthz on the server's own port over loopback.
// Node rather than wget/curl because the runtime may drop busybox tools, and node is always there.
// Exit 0 = healthy, 1 = unhealthy (Docker's contract); the reason goes to stderr, which `docker inspect` shows.
const port = Number(process.env.PORT || 8080);
const url = `http://127.0.0.1:${port}/healthz`;
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 2000);

// A timer that holds the event loop: AbortSignal.timeout's is unref'd, and when the server drops the
// connection unanswered Node 20's fetch can leave its promise pending with nothing else alive, so
// the process exited 13 (unsettled top-level await) with no message instead of 1.
const guard = setTimeout(() => {
  console.error(`healthcheck: ${url} failed: no answer within ${timeoutMs} ms`);
  process.exit(1);
}, timeoutMs + 100);

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  if (!res.ok) {
    console.error(`healthcheck: ${url} answered ${res.status}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`healthcheck: ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
clearTimeout(guard);
