/**
 * A picked folder of labelled images (one sub-folder per class) and the user's label map for it:
 * what "Check this model" and "Adapt to my images" both start from, so the two read folders and
 * label maps by one rule.
 */
import { useMemo, useState } from 'react';
import { checkLabelMap, defaultLabelMap, parseLabelMapText, type ModelMetadata } from '@respidetect/contract';
import { collectLabelledFiles, type LabelledFile } from '../../lib/labelled-files';

export interface PickedFolder {
  name: string;
  folders: string[];
  files: LabelledFile[];
  loose: string[];
}

const mapText = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** Seconds as "2 min 5 s" / "40 s"; "…" until a rate is known. */
export const eta = (s: number | null) => (s === null ? '…' : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

/** `fallbackName` names the run when the browser gives no folder name (a flat file pick). */
export function useLabelledFolder(meta: ModelMetadata, fallbackName: string) {
  const [picked, setPicked] = useState<PickedFolder | null>(null);
  const [labelText, setLabelText] = useState('');

  const labelMap = useMemo(() => {
    if (!picked) return null;
    try {
      const m = parseLabelMapText(labelText);
      checkLabelMap(m, picked.folders, meta.classNames);
      if (Object.keys(m).length === 0) throw new Error('label map: no folder is mapped to a model class');
      return { map: m, error: null };
    } catch (e) {
      return { map: null, error: (e as Error).message };
    }
  }, [picked, labelText, meta.classNames]);

  /** Takes the input's FileList; false when nothing was picked. */
  const pick = (list: FileList | null): boolean => {
    if (!list || list.length === 0) return false;
    const all = Array.from(list);
    const c = collectLabelledFiles(all);
    const name = (all[0]!.webkitRelativePath.split('/')[0] || fallbackName).replace(/[^\w.-]+/g, '_');
    setPicked({ name, ...c });
    setLabelText(mapText(defaultLabelMap(c.folders, meta.classNames)));
    return true;
  };

  return { picked, labelText, setLabelText, labelMap, pick };
}
