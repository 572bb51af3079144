/**
 * Open from PACS, end to end in Chromium against real parts: Orthanc (Debian's, DICOMweb plugin) with
 * HTTP basic auth, loaded with a CT series written as DICOM from real chest CT PNGs and an MR series;
 * the real app server; and the repo's nginx blocks (deploy/pacs/): the same-origin site (app and
 * DICOMweb under one origin) and the CORS proxy for a PACS on another origin.
 * Search → pick the CT series → classify → send the SR → read it back from Orthanc → dsrdump. Then each
 * failure a user meets: 401, an MR series, a wrong URL (wrong path; nothing listening), a PACS that
 * sends no CORS header, and this site's own CSP — each with its message, and nothing else lost.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { parseMultipart, parseSeries, RESEARCH_USE_STATEMENT, seriesSearchUrl, instanceRetrieveUrl, type ModelMetadata } from '@respidetect/contract';
import { ctFiles, requireChestCt } from '../testkit/images/ct-files';
import { uid, writeDicom } from '../testkit/dicom/dicom';
import { dcmtkErrors, dsrdump, requireDsrdump } from '../testkit/pacs/dsrdump';
import { requirePacs, startCorsProxy, startOrthanc, startSameOriginSite, type RunningOrthanc, type RunningPacsNginx } from '../testkit/pacs/orthanc';
import { freePort } from '../testkit/server/http';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';

const USER = { user: 'lab', password: 's3cret' };
const PATIENT = 'LAB-E2E-7';
const study = uid();
const ctSeries = uid();
const mrSeries = uid();
const CT_SLICES = 4;

test.describe('Open from PACS', () => {
  let orthanc: RunningOrthanc;
  let app: RunningServer;
  /** App and DICOMweb under one origin (the recommended set-up), the app's CSP widened to the two cross-origin PACS addresses below. */
  let site: RunningPacsNginx;
  let cors: RunningPacsNginx;
  /** A loopback port with nothing listening. */
  let deadPort: number;
  let meta: ModelMetadata;

  test.beforeAll(async () => {
    requireChestCt();
    test.skip(!requirePacs('Open from PACS e2e') || !requireDsrdump('Open from PACS e2e'), 'Orthanc, nginx or dcmtk missing');
    const { appDir, models } = readState();
    meta = JSON.parse(readFileSync(join(models.a!, 'metadata.json'), 'utf8')) as ModelMetadata;
    orthanc = await startOrthanc({ auth: USER });
    const s = { uid: study, patientId: PATIENT, patientName: 'Doe^Jane', date: '20240301' };
    const slices = await Promise.all(
      ctFiles(CT_SLICES, false).map(async (f) => {
        // At their own size: shrunk to 64 px, the two normal slices lose the black air and white tissue the not-a-chest-CT rule looks for.
        const { data, info } = await sharp(f).greyscale().raw().toBuffer({ resolveWithObject: true });
        return { grey: new Uint8Array(data), w: info.width, h: info.height };
      }),
    );
    await orthanc.upload([
      ...slices.map((x, i) => writeDicom({ frames: [x.grey], width: x.w, height: x.h, study: s, seriesUid: ctSeries, instanceNumber: i + 1, seriesNumber: 1, seriesDescription: 'Chest CT' })),
      writeDicom({ frames: [slices[0]!.grey], width: slices[0]!.w, height: slices[0]!.h, modality: 'MR', study: s, seriesUid: mrSeries, instanceNumber: 1, seriesNumber: 2, seriesDescription: 'T2 axial' }),
    ]);
    app = await startServer(assembleSite(appDir, models.a!));
    deadPort = await freePort();
    // The site's origin is known only once it listens; the CORS proxy allows it, and the site's CSP lists both cross-origin addresses.
    const sitePort = await freePort();
    cors = await startCorsProxy({ upstreamPort: orthanc.port, origin: `http://127.0.0.1:${sitePort}` });
    // The app's own policy, as its server sends it, with connect-src widened.
    const shipped = (await fetch(`${app.url}/`)).headers.get('content-security-policy')!;
    expect(shipped).toContain("connect-src 'self';");
    const csp = shipped.replace("connect-src 'self'", `connect-src 'self' ${orthanc.url} ${cors.url} http://127.0.0.1:${deadPort}`);
    site = await startSameOriginSite({ appPort: Number(new URL(app.url).port), upstreamPort: orthanc.port, csp, port: sitePort });
  });
  test.afterAll(async () => {
    await site?.stop();
    await cors?.stop();
    await app?.stop();
    await orthanc?.stop();
  });

  async function open(page: Page, origin: string): Promise<void> {
    await page.goto(`${origin}/#/pacs`);
    await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
    await expect(page.getByTestId('pacs-page')).toBeVisible();
  }

  async function search(page: Page, baseUrl: string, opts: { auth?: boolean; modality?: 'CT' | '' } = {}): Promise<void> {
    await page.getByTestId('pacs-base-url').fill(baseUrl);
    if (opts.auth !== false) {
      await page.getByTestId('pacs-auth-kind').selectOption('basic');
      await page.getByTestId('pacs-user').fill(USER.user);
      await page.getByTestId('pacs-password').fill(USER.password);
    }
    await page.getByTestId('pacs-patient-id').fill(PATIENT);
    await page.getByTestId('pacs-date-from').fill('2024-03-01');
    await page.getByTestId('pacs-date-to').fill('2024-03-31');
    await page.getByTestId('pacs-modality').selectOption(opts.modality ?? 'CT');
    await page.getByTestId('pacs-search').click();
  }

  const error = (page: Page) => page.getByTestId('pacs-error');

  test('search → pick the CT series → classify → SR stored in Orthanc, read back and checked with dsrdump; images never leave for anywhere else', async ({ page }) => {
    const hosts = new Set<string>();
    page.on('request', (r) => hosts.add(new URL(r.url()).origin));
    await open(page, site.url);
    await expect(page.getByTestId('pacs-privacy')).toContainText('Images go from the PACS to this browser only');
    await search(page, site.dicomWeb);
    await expect(page.getByTestId('pacs-study')).toHaveCount(1);
    await expect(page.getByTestId('pacs-study')).toHaveAttribute('data-study-uid', study);
    await page.getByTestId('pacs-show-series').click();
    await expect(page.getByTestId('pacs-series')).toHaveCount(2);
    await page.locator(`[data-testid="pacs-series"][data-series-uid="${ctSeries}"]`).getByTestId('pacs-classify').click();
    const outcome = page.getByTestId('pacs-outcome');
    // Outcome or error, whichever comes first: a failure shows its message here instead of a timeout.
    await expect(outcome.or(error(page))).toBeVisible({ timeout: 120_000 });
    await expect(error(page)).toHaveCount(0);
    await expect(outcome).toHaveAttribute('data-scored', String(CT_SLICES));
    const positive = (await outcome.getAttribute('data-decision')) === 'positive';
    const pos = meta.classNames[meta.positiveClass]!;
    const label = positive ? pos : `not ${pos}`;
    // The slices went through the page's classify queue: the Classify page lists them.
    await page.getByRole('link', { name: 'Classify', exact: true }).click();
    await expect(page.getByTestId('summary')).toHaveAttribute('data-classified', String(CT_SLICES));
    await page.getByRole('link', { name: 'Open from PACS' }).click();

    // The download is the same report, and dcmtk reads it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pacs-download').click()]);
    const downloaded = dsrdump(readFileSync((await download.path())!));
    expect(dcmtkErrors(downloaded.stderr)).toEqual([]);
    expect(downloaded.stdout).toContain(`"Model identifier")="${meta.modelId}"`);

    await page.getByTestId('pacs-send').click();
    await expect(page.getByTestId('pacs-sent')).toBeVisible();
    const sop = (await page.getByTestId('pacs-sent').getAttribute('data-sop-uid'))!;

    // Read back from Orthanc itself (not through the page): filed in the study as a series of modality SR.
    const list = await fetch(seriesSearchUrl(orthanc.dicomWeb, study), { headers: orthanc.headers() });
    const srSeries = parseSeries(await list.text(), study).find((x) => x.modality === 'SR');
    expect(srSeries).toBeDefined();
    const back = await fetch(instanceRetrieveUrl(orthanc.dicomWeb, study, srSeries!.seriesInstanceUid, sop), {
      headers: { ...orthanc.headers(), accept: 'multipart/related; type="application/dicom"' },
    });
    expect(back.status).toBe(200);
    const [part] = parseMultipart(new Uint8Array(await back.arrayBuffer()), back.headers.get('content-type')!, 'read back');
    const out = dsrdump(part!.body);
    expect(dcmtkErrors(out.stderr)).toEqual([]);
    expect(out.stdout).toContain('Comprehensive SR Document');
    expect(out.stdout).toContain(`"Model identifier")="${meta.modelId}"`);
    expect(out.stdout).toMatch(new RegExp(`"Series decision"\\)="${label} \\(\\d+ of ${CT_SLICES} slices at or above the threshold\\)"`));
    expect(out.stdout).toContain(`"Decision threshold")="${Number(meta.decisionThreshold.toFixed(6))}"`);
    expect(out.stdout).toContain(`"Research use statement")="${RESEARCH_USE_STATEMENT}"`);
    expect(out.stdout.match(/<inferred from IMAGE:/g)).toHaveLength(CT_SLICES);
    // A refusal afterwards (the MR series) is shown, and the report and its "stored" line stay.
    await page.locator(`[data-testid="pacs-series"][data-series-uid="${mrSeries}"]`).getByTestId('pacs-classify').click();
    await expect(error(page)).toHaveAttribute('data-kind', 'not-ct');
    await expect(page.getByTestId('pacs-outcome')).toBeVisible();
    await expect(page.getByTestId('pacs-sent')).toHaveAttribute('data-sop-uid', sop);
    // Every request the page made went to its own origin: the images came from the PACS under it and went nowhere else.
    expect([...hosts]).toEqual([site.url]);
  });

  test('401: no credentials → a message that asks for them; the studies already found stay', async ({ page }) => {
    await open(page, site.url);
    await search(page, site.dicomWeb);
    await expect(page.getByTestId('pacs-study')).toHaveCount(1);
    await page.getByTestId('pacs-auth-kind').selectOption('none');
    await page.getByTestId('pacs-show-series').click();
    await expect(error(page)).toHaveAttribute('data-kind', 'auth');
    await expect(error(page)).toContainText('the PACS asks for credentials (HTTP 401). Enter a user name and password or a bearer token');
    await expect(page.getByTestId('pacs-study')).toHaveCount(1);
  });

  test('an MR series is refused by name before any image is downloaded; the CT series is still there to classify', async ({ page }) => {
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await open(page, site.url);
    await search(page, site.dicomWeb, { modality: '' });
    await page.getByTestId('pacs-show-series').click();
    await page.locator(`[data-testid="pacs-series"][data-series-uid="${mrSeries}"]`).getByTestId('pacs-classify').click();
    await expect(error(page)).toHaveAttribute('data-kind', 'not-ct');
    await expect(error(page)).toHaveText('Series 2 (T2 axial) is MR, not CT: this model reads chest CT only. Pick a CT series.');
    expect(urls.filter((u) => u.includes(mrSeries))).toEqual([]);
    // (The study may also hold the SR the first test stored: count none, look for the CT series.)
    await expect(page.locator(`[data-testid="pacs-series"][data-series-uid="${ctSeries}"]`).getByTestId('pacs-classify')).toBeEnabled();
    await expect(page.getByTestId('summary')).toHaveAttribute('data-classified', '0');
  });

  test('a wrong URL: a page that is not DICOMweb, a path that is not the DICOMweb root (404), an address where nothing listens', async ({ page }) => {
    await open(page, site.url);
    // Under the site's origin but outside /dicom-web/: the app's own HTML comes back.
    await search(page, `${site.url}/pacs/dicom-web`);
    await expect(error(page)).toHaveAttribute('data-kind', 'malformed');
    await expect(error(page)).toContainText('Searching studies: the answer is not JSON, so the URL is probably not a DICOMweb endpoint.');
    await search(page, `${cors.url}/orthanc/dicom-web`);
    await expect(error(page)).toHaveAttribute('data-kind', 'not-found');
    await expect(error(page)).toContainText("(HTTP 404). Check that the base URL is the server's DICOMweb root");
    await search(page, `http://127.0.0.1:${deadPort}/dicom-web`);
    await expect(error(page)).toHaveAttribute('data-kind', 'cors');
    await expect(error(page)).toContainText(`no readable answer from http://127.0.0.1:${deadPort}. Either nothing answers there (check the address, the port and that the PACS is running)`);
    // The address typed last is remembered for the next visit.
    await page.reload();
    await expect(page.getByTestId('pacs-base-url')).toHaveValue(`http://127.0.0.1:${deadPort}/dicom-web`);
    await expect(page.getByTestId('pacs-password')).toHaveCount(0);
  });

  test('a PACS on another origin that sends no CORS header: the message names the exact header; through the CORS block the same search works', async ({ page }) => {
    await open(page, site.url);
    await search(page, orthanc.dicomWeb);
    await expect(error(page)).toHaveAttribute('data-kind', 'cors');
    await expect(error(page)).toContainText(`must send "Access-Control-Allow-Origin: ${site.url}"`);
    await expect(error(page)).toContainText('"Access-Control-Allow-Headers: Authorization, Accept, Content-Type"');
    await search(page, cors.dicomWeb);
    await expect(page.getByTestId('pacs-study')).toHaveCount(1);
    await expect(error(page)).toHaveCount(0);
  });

  test("this site's own CSP (connect-src 'self', as shipped) blocks a PACS on another origin, and the page says so", async ({ page }) => {
    await open(page, app.url);
    await search(page, cors.dicomWeb);
    await expect(error(page)).toHaveAttribute('data-kind', 'csp');
    await expect(error(page)).toContainText(`this site's security policy does not allow the page to connect to ${cors.url}`);
  });
});
