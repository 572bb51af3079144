/**
 * The folder input, what was found in it and the label-map field, for "Check this model" and
 * "Adapt to my images" (state from useLabelledFolder). Each page keeps its own test ids (`testIds`)
 * and puts its own buttons in `children`.
 */
import type { ReactNode } from 'react';
import type { ModelMetadata } from '@respidetect/contract';
import type { useLabelledFolder } from './use-labelled-folder';

export function LabelledFolderPicker({
  folder,
  meta,
  running,
  onPick,
  leftOut,
  testIds,
  children,
}: {
  folder: ReturnType<typeof useLabelledFolder>;
  meta: ModelMetadata;
  running: boolean;
  onPick(list: FileList | null): void;
  /** What happens to folders the label map leaves out, in the field's label. */
  leftOut: string;
  testIds: { input: string; picked: string; labelMap: string; labelError: string };
  children: ReactNode;
}) {
  const { picked, labelText, setLabelText, labelMap } = folder;
  return (
    <>
      <label>
        Labelled folder{' '}
        <input
          type="file"
          data-testid={testIds.input}
          // webkitdirectory is not in React's typings; every current browser supports it.
          {...{ webkitdirectory: '', directory: '' }}
          multiple
          disabled={running}
          onChange={(e) => onPick(e.target.files)}
        />
      </label>
      {picked ? (
        <div>
          <p data-testid={testIds.picked}>
            {picked.files.length} files in {picked.folders.length} folders ({picked.folders.join(', ')})
            {picked.loose.length ? `; ${picked.loose.length} files outside any class folder are ignored` : ''}.
          </p>
          <label>
            Which folder is which class (folder=class, …; folders left out {leftOut}):{' '}
            <input type="text" size={60} data-testid={testIds.labelMap} value={labelText} onChange={(e) => setLabelText(e.target.value)} disabled={running} />
          </label>
          <p className="muted">Model classes: {meta.classNames.join(', ')}</p>
          {labelMap?.error ? (
            <p role="alert" className="error-text" data-testid={testIds.labelError}>
              {labelMap.error}
            </p>
          ) : null}
          {children}
        </div>
      ) : null}
    </>
  );
}
