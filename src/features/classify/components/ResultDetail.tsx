/**
 * One file up close: the image with zoom, and the model's class-activation map laid over it
 * (viridis, adjustable opacity), upsampled bilinearly by the canvas. For a model trained with
 * source normalisation the main view is the model's input (cropped to the body, equalised), which
 * is the frame the heatmap belongs to, with the original beside it.
 */
import { useEffect, useRef, useState } from 'react';
import { heatmapRgba } from '../../../lib/colormap';
import { classLabel, preprocessOf, type ModelMetadata } from '@respidetect/contract';
import { modelInputImage, preprocessActive, type ModelInputImage } from '../logic/model-input';
import type { Row } from '../logic/rows';

function useImage(file: File | null): HTMLImageElement | null {
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    const el = new Image();
    let live = true;
    el.onload = () => live && setImg(el);
    el.onerror = () => live && setImg(null);
    el.src = url;
    return () => {
      live = false;
      URL.revokeObjectURL(url);
    };
  }, [file]);
  return img;
}

function useModelInput(file: File | null, meta: ModelMetadata): ModelInputImage | null {
  const [input, setInput] = useState<ModelInputImage | null>(null);
  useEffect(() => {
    if (!file) return;
    let live = true;
    modelInputImage(file, preprocessOf(meta)).then(
      (m) => live && setInput(m),
      () => live && setInput(null),
    );
    return () => {
      live = false;
    };
  }, [file, meta]);
  return input;
}

export function ResultDetail({ row, meta, onClose }: { row: Row; meta: ModelMetadata; onClose: () => void }) {
  const result = row.item.result!;
  const isDicom = result.source === 'dicom';
  const img = useImage(isDicom ? null : row.item.file);
  const normalised = preprocessActive(preprocessOf(meta));
  const modelInput = useModelInput(normalised && !isDicom ? row.item.file : null, meta);
  const canvas = useRef<HTMLCanvasElement>(null);
  const original = useRef<HTMLCanvasElement>(null);
  const [zoom, setZoom] = useState(1);
  const [showMap, setShowMap] = useState(true);
  const [opacity, setOpacity] = useState(0.45);
  const defaultClass = row.className ? meta.classNames.indexOf(row.className) : meta.positiveClass;
  const [mapClass, setMapClass] = useState(defaultClass);
  const heatmap = result.heatmap;

  const baseW = 384;
  // The model's input is square once the body crop has padded it.
  const aspect = normalised ? 1 : result.height / result.width;
  const w = Math.round(baseW * zoom);
  const h = Math.round(baseW * aspect * zoom);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    let shown = false;
    if (normalised && modelInput) {
      const frame = new OffscreenCanvas(modelInput.image.width, modelInput.image.height);
      frame.getContext('2d')!.putImageData(modelInput.image, 0, 0);
      ctx.drawImage(frame, 0, 0, c.width, c.height);
      shown = true;
    } else if (!normalised && img) {
      ctx.drawImage(img, 0, 0, c.width, c.height);
      shown = true;
    }
    if (heatmap && showMap) {
      const map = heatmap.maps[mapClass];
      if (!map) return;
      const small = new OffscreenCanvas(heatmap.width, heatmap.height);
      small.getContext('2d')!.putImageData(new ImageData(heatmapRgba(map), heatmap.width, heatmap.height), 0, 0);
      ctx.save();
      ctx.globalAlpha = shown ? opacity : 1;
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(small, 0, 0, c.width, c.height);
      ctx.restore();
    }
  }, [img, modelInput, normalised, heatmap, showMap, opacity, mapClass, w, h]);

  useEffect(() => {
    const c = original.current;
    const ctx = c?.getContext('2d');
    if (c && ctx && img) ctx.drawImage(img, 0, 0, c.width, c.height);
  }, [img]);

  return (
    <aside className="detail" aria-label={`Details for ${row.name}`} data-testid="detail">
      <div className="controls">
        <h2 style={{ margin: 0, fontSize: '1rem', flex: 1, wordBreak: 'break-all' }}>{row.name}</h2>
        <button type="button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </div>
      <div className="viewer">
        <canvas ref={canvas} width={w} height={h} role="img" aria-label={`${row.name}${heatmap && showMap ? ', with heatmap overlay' : ''}`} data-testid="viewer-canvas" />
      </div>
      {normalised && !isDicom ? (
        <figure className="original" style={{ margin: 0 }}>
          <canvas ref={original} width={160} height={Math.round((160 * result.height) / result.width)} role="img" aria-label={`${row.name}, original`} data-testid="original-canvas" />
          <figcaption className="muted">
            The main view is what the model saw (cropped to the body{modelInput && !modelInput.box.found ? ': no body found, the whole frame' : ''}, padded to a square
            {preprocessOf(meta).intensity === 'body-equalize' ? ', grey levels equalised inside the body' : ''}). Here: the original, {result.width}×{result.height} px.
          </figcaption>
        </figure>
      ) : null}
      {isDicom ? <p className="muted">DICOM: the heatmap is shown for the {result.slices ? 'top-scoring slice' : 'slice'}.</p> : null}
      <div className="controls">
        <label>
          Zoom <input type="range" min={1} max={4} step={0.25} value={zoom} onChange={(e) => setZoom(Number(e.target.value))} aria-valuetext={`${zoom}×`} data-testid="zoom" /> {zoom}×
        </label>
        {heatmap ? (
          <>
            <label>
              <input type="checkbox" checked={showMap} onChange={(e) => setShowMap(e.target.checked)} data-testid="heatmap-toggle" /> Heatmap
            </label>
            <label>
              Opacity <input type="range" min={0} max={1} step={0.05} value={opacity} disabled={!showMap} onChange={(e) => setOpacity(Number(e.target.value))} data-testid="heatmap-opacity" />
            </label>
            <label>
              Class{' '}
              <select value={mapClass} onChange={(e) => setMapClass(Number(e.target.value))}>
                {meta.classNames.map((c, i) => (
                  <option key={c} value={i}>
                    {classLabel(c)}
                  </option>
                ))}
              </select>
            </label>
          </>
        ) : (
          <span className="muted">This model has no heatmap output.</span>
        )}
      </div>
      {heatmap ? <p className="muted">Colour scale (viridis): dark purple = low activation, yellow = high. Activation maps are not segmentation.</p> : null}
      {result.slices ? (
        <p data-testid="slices">
          {result.slices.scores.length + (result.slices.refused?.length ?? 0)} slices
          {result.slices.refused?.length ? ` (${result.slices.refused.length} refused, not a chest CT: ${result.slices.refused[0]!.reason})` : ''} · max {(result.slices.max * 100).toFixed(1)}% · mean {(result.slices.mean * 100).toFixed(1)}% · top slice #{result.slices.top + 1} (
          {classLabel(meta.classNames[meta.positiveClass]!)} probability)
        </p>
      ) : null}
      <p className="muted">
        {result.width}×{result.height} px · sha256 <code>{result.sha256.slice(0, 16)}…</code> · {result.ms.toFixed(0)} ms
      </p>
    </aside>
  );
}
