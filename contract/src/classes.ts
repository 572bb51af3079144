/** Class naming shared by ingestion (folder names → ids) and the app (ids → labels). */

/** The class a decision threshold is about, when present: the cancer, not the normal class. */
export const NORMAL_CLASS = 'normal';

/**
 * Folder name → clean class id. The Kaggle set names folders after the diagnosis plus
 * site and TNM stage ("adenocarcinoma_left.lower.lobe_T2_N0_M0_Ib", "large.cell.carcinoma_left.hilum_…");
 * the stage suffix is dropped and separators become underscores. Clean ids pass through unchanged.
 */
export function canonicalClassId(folder: string): string {
  const base = folder
    .trim()
    .replace(/_(left|right)[._].*$/i, '')
    .replace(/_T\d.*$/i, '');
  return base
    .toLowerCase()
    .replace(/[.\s-]+/g, '_')
    .replace(/[^a-z0-9_]/g, '')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/** "large_cell_carcinoma" → "Large cell carcinoma". */
export function classLabel(id: string): string {
  const words = id.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Index of the class the threshold is applied to: the first class that is not "normal". */
export function positiveClassIndex(classNames: readonly string[]): number {
  const i = classNames.findIndex((c) => c !== NORMAL_CLASS);
  return i < 0 ? 0 : i;
}
