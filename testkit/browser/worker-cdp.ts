/**
 * Chrome DevTools Protocol commands for a dedicated worker. Playwright opens CDP sessions on pages
 * only, so this attaches to the worker's target through the browser session and speaks to it over
 * Target.sendMessageToTarget (the non-flattened protocol, which Playwright's session can carry).
 */
import type { Browser } from '@playwright/test';

export type WorkerCdp = <T>(method: string, params?: object) => Promise<T>;

export async function attachToWorker(browser: Browser, urlPattern: RegExp): Promise<WorkerCdp> {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
  const target = targetInfos.find((t) => t.type === 'worker' && urlPattern.test(t.url));
  if (!target) throw new Error(`no worker target matches ${urlPattern} (have: ${targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')})`);
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as { sessionId: string };
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  cdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (!p) return;
    pending.delete(m.id!);
    if (m.error) p.reject(new Error(m.error.message));
    else p.resolve(m.result);
  });
  return <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
}
