/**
 * The confusion-matrix and ROC images: SVG written here, rasterised by sharp (librsvg). Plain SVG
 * keeps the plots dependency-free and readable in a diff; the PNGs are what DVC and the model card show.
 */
import sharp from 'sharp';
import type { ReliabilityBin, RocPoint } from '@respidetect/contract';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const FONT = 'font-family="DejaVu Sans, sans-serif"';

export function confusionMatrixSvg(cm: readonly number[][], classNames: readonly string[], title: string, subtitle = ''): string {
  const k = classNames.length;
  const cell = 90;
  const left = 170;
  const top = 80;
  // Wide enough for the grid and for the title (≈ 9 px per character at 16 px).
  const width = Math.max(left + k * cell + 30, Math.ceil(title.length * 9) + 40, Math.ceil(subtitle.length * 7) + 40);
  const height = top + k * cell + 80;
  const max = Math.max(1, ...cm.flat());
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="28" ${FONT} font-size="16" text-anchor="middle">${esc(title)}</text>`,
    `<text x="${width / 2}" y="50" ${FONT} font-size="12" text-anchor="middle" fill="#444">${esc(subtitle)}</text>`,
    `<text x="${left + (k * cell) / 2}" y="${top + k * cell + 60}" ${FONT} font-size="13" text-anchor="middle">predicted</text>`,
    `<text x="16" y="${top + (k * cell) / 2}" ${FONT} font-size="13" text-anchor="middle" transform="rotate(-90 16 ${top + (k * cell) / 2})">true</text>`,
  ];
  cm.forEach((row, i) => {
    const rowTotal = row.reduce((a, b) => a + b, 0);
    row.forEach((n, j) => {
      const shade = Math.round(255 - (n / max) * 200);
      const x = left + j * cell;
      const y = top + i * cell;
      const ink = n / max > 0.5 ? 'white' : 'black';
      const pct = rowTotal > 0 ? ` (${Math.round((100 * n) / rowTotal)}%)` : '';
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#888"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 6}" ${FONT} font-size="16" text-anchor="middle" fill="${ink}">${n}</text>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 24}" ${FONT} font-size="11" text-anchor="middle" fill="${ink}">${pct}</text>`,
      );
    });
  });
  classNames.forEach((name, i) => {
    parts.push(
      `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 5}" ${FONT} font-size="12" text-anchor="end">${esc(name)}</text>`,
      `<text x="${left + i * cell + cell / 2}" y="${top + k * cell + 20}" ${FONT} font-size="12" text-anchor="middle">${esc(name.length > 14 ? name.slice(0, 13) + '…' : name)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/**
 * The unit square both curves are drawn in (ROC, calibration): title, frame, the diagonal, ticks and
 * axis labels; `plot` is the SVG drawn inside, given the coordinate maps.
 */
function unitSquareSvg(title: string, xLabel: string, yLabel: string, plot: (X: (v: number) => number, Y: (v: number) => number, size: number) => string): string {
  const size = 360;
  const pad = 60;
  const w = size + pad + 30;
  const h = size + pad + 50;
  const X = (v: number) => pad + v * size;
  const Y = (v: number) => 40 + (1 - v) * size;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${X(t)}" y="${Y(0) + 18}" ${FONT} font-size="11" text-anchor="middle">${t}</text>` +
        `<text x="${pad - 8}" y="${Y(t) + 4}" ${FONT} font-size="11" text-anchor="end">${t}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
<rect width="${w}" height="${h}" fill="white"/>
<text x="${w / 2}" y="24" ${FONT} font-size="15" text-anchor="middle">${esc(title)}</text>
<rect x="${pad}" y="40" width="${size}" height="${size}" fill="none" stroke="#444"/>
<path d="M${X(0)},${Y(0)} L${X(1)},${Y(1)}" stroke="#aaa" stroke-dasharray="5,5" fill="none"/>
${plot(X, Y, size)}
${ticks}
<text x="${pad + size / 2}" y="${h - 8}" ${FONT} font-size="12" text-anchor="middle">${esc(xLabel)}</text>
<text x="16" y="${40 + size / 2}" ${FONT} font-size="12" text-anchor="middle" transform="rotate(-90 16 ${40 + size / 2})">${esc(yLabel)}</text>
</svg>`;
}

export function rocSvg(points: readonly RocPoint[], label: string, title: string): string {
  return unitSquareSvg(title, 'false positive rate', 'true positive rate', (X, Y) => {
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${X(p.fpr).toFixed(2)},${Y(p.tpr).toFixed(2)}`).join(' ');
    return `<path d="${path}" stroke="#c0392b" stroke-width="2" fill="none"/>
<text x="${X(0.97)}" y="${Y(0.06)}" ${FONT} font-size="12" text-anchor="end">${esc(label)}</text>`;
  });
}

export const svgToPng = (svg: string): Promise<Buffer> => sharp(Buffer.from(svg)).png().toBuffer();

/** The reliability diagram: mean predicted probability against the observed positive fraction, per bin. */
export function calibrationSvg(bins: readonly ReliabilityBin[], title: string, label: string): string {
  return unitSquareSvg(title, 'mean predicted probability', 'observed fraction positive', (X, Y, size) => {
    const total = Math.max(1, ...bins.map((b) => b.count));
    // Bar height shows how many items a point rests on: a point from three items says little.
    const bars = bins
      .map((b) => `<rect x="${X(b.low).toFixed(2)}" y="${(Y(0) - (b.count / total) * 60).toFixed(2)}" width="${((b.high - b.low) * size).toFixed(2)}" height="${((b.count / total) * 60).toFixed(2)}" fill="#d6e4f0" stroke="#9bb"/>`)
      .join('');
    const path = bins.map((b, i) => `${i === 0 ? 'M' : 'L'}${X(b.meanPredicted).toFixed(2)},${Y(b.fractionPositive).toFixed(2)}`).join(' ');
    const dots = bins.map((b) => `<circle cx="${X(b.meanPredicted).toFixed(2)}" cy="${Y(b.fractionPositive).toFixed(2)}" r="4" fill="#c0392b"><title>n=${b.count}</title></circle>`).join('');
    return `${bars}
<path d="${path}" stroke="#c0392b" stroke-width="2" fill="none"/>
${dots}
<text x="${X(0.03)}" y="${Y(0.94)}" ${FONT} font-size="12">${esc(label)}</text>`;
  });
}
