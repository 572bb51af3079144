/**
 * This page's Content-Security-Policy blocks connections to origins its connect-src does not list, and
 * fetch then fails exactly as for a server that is not there. The browser does tell the page, through
 * `securitypolicyviolation` events; this keeps the blocked URLs so a failed request can say which it was.
 */
const blocked: { url: string; at: number }[] = [];
let installed = false;

export function watchCsp(doc: Document): void {
  if (installed) return;
  installed = true;
  doc.addEventListener('securitypolicyviolation', (e) => {
    if (e.effectiveDirective === 'connect-src') blocked.push({ url: e.blockedURI, at: performance.now() });
    if (blocked.length > 50) blocked.shift();
  });
}

/** Whether a connection to `url`'s origin was blocked by connect-src since `since` (performance.now()). */
export async function cspBlocked(url: string, since: number): Promise<boolean> {
  // The violation event is queued as its own task; let it arrive.
  await new Promise((r) => setTimeout(r, 50));
  const origin = new URL(url).origin;
  return blocked.some((b) => b.at >= since && (b.url === url || b.url.startsWith(origin)));
}
