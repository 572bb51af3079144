/**
 * Google Drive file id → downloaded file. Small files come straight back; for large ones Drive
 * answers with an HTML "can't scan for viruses" page whose form (or, on older pages, a
 * `confirm=` link or a `download_warning` cookie) leads to the real download.
 */
import { cachedArchive, downloadArchive } from './archive';

export const GDRIVE_URL = 'https://drive.google.com/uc';

const decodeEntities = (s: string) =>
  s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : undefined;
};

/** The real download URL from Drive's confirmation page, or null when the page has none. */
export function confirmUrlFromHtml(html: string, pageUrl: string, cookies: string[] = []): string | null {
  const form = /<form\b[^>]*>[\s\S]*?<\/form>/gi;
  for (const m of html.matchAll(form)) {
    const openTag = /<form\b[^>]*>/i.exec(m[0])![0];
    const id = attr(openTag, 'id') ?? '';
    const action = attr(openTag, 'action');
    if (!action || !(id === 'download-form' || /download/i.test(action))) continue;
    const url = new URL(action, pageUrl);
    for (const input of m[0].matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      const value = attr(input[0], 'value');
      if (name && value !== undefined) url.searchParams.set(name, value);
    }
    return url.toString();
  }
  const href = /href\s*=\s*"([^"]*[?&](?:amp;)?confirm=[^"]*)"/i.exec(html);
  if (href?.[1]) return new URL(decodeEntities(href[1]), pageUrl).toString();
  const warning = cookies.map((c) => /^download_warning[^=]*=([^;]+)/.exec(c)?.[1]).find(Boolean);
  if (warning) {
    const url = new URL(pageUrl);
    url.searchParams.set('confirm', warning);
    return url.toString();
  }
  return null;
}

const pageUrlFor = (id: string, base = GDRIVE_URL) => `${base}?export=download&id=${encodeURIComponent(id)}`;

export async function fetchGdrive(id: string, dest: string, opts: { baseUrl?: string; sha256?: string | null }): Promise<string> {
  if (!/^[\w-]{10,}$/.test(id)) throw new Error(`gdrive:${id}: not a Google Drive file id (expected letters, digits, - and _)`);
  const label = `gdrive:${id}`;
  if (await cachedArchive(dest, opts.sha256)) return downloadArchive({ url: pageUrlFor(id, opts.baseUrl), dest, label, sha256: opts.sha256 ?? undefined });
  const pageUrl = pageUrlFor(id, opts.baseUrl);
  let res: Response;
  try {
    res = await fetch(pageUrl, { signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new Error(`${label}: cannot reach Google Drive (${err instanceof Error ? (err.cause as Error | undefined)?.message ?? err.message : String(err)})`, { cause: err });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${label}: Google Drive answered HTTP ${res.status}${res.status === 404 ? ' (no such file, or it is not shared publicly)' : ''}`);
  }
  let url = pageUrl;
  const cookies = res.headers.getSetCookie();
  if (/text\/html/i.test(res.headers.get('content-type') ?? '')) {
    const html = (await res.text()).slice(0, 2_000_000);
    const confirmed = confirmUrlFromHtml(html, pageUrl, cookies);
    if (!confirmed) {
      const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
      throw new Error(`${label}: Google Drive returned a page without a download link${title ? ` ("${title}")` : ''}; is the file shared publicly, or is its download quota exceeded?`);
    }
    url = confirmed;
  } else {
    // Small file: the bytes are already coming; downloadFile fetches them again with resume support.
    await res.body?.cancel();
  }
  const cookieHeader = cookies.map((c) => c.split(';')[0]).join('; ');
  return downloadArchive({ url, dest, label, sha256: opts.sha256 ?? undefined, headers: cookieHeader ? { Cookie: cookieHeader } : undefined });
}
