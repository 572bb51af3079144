/**
 * Files in: drag-and-drop (files and whole folders), the file picker, a folder picker, and paste.
 * react-dropzone makes the zone focusable; Enter or Space opens the picker.
 */
import { useEffect, useRef } from 'react';
import { useDropzone } from 'react-dropzone';

export function Dropzone({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const { getRootProps, getInputProps, isDragActive } = useDropzone({
    onDrop: (accepted, rejected) => onFiles([...accepted, ...rejected.map((r) => r.file)]),
    disabled,
    // Every file goes to the worker, which tells the user precisely what is wrong with a bad one.
    multiple: true,
  });
  const folderInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (files.length > 0 && !disabled) onFiles(files);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [onFiles, disabled]);

  return (
    <div className="dropzone-wrap">
      <div
        {...getRootProps({
          className: `dropzone${isDragActive ? ' active' : ''}${disabled ? ' disabled' : ''}`,
          'aria-label': 'Add images: drop files or folders here, or press Enter to choose files',
          'aria-disabled': disabled,
        })}
        data-testid="dropzone"
      >
        <input {...getInputProps()} data-testid="file-input" />
        <p>
          <strong>Drop CT images or folders here</strong>, click or press Enter to choose files, or paste from the clipboard.
        </p>
        <p className="muted">PNG, JPEG, WebP, BMP, GIF (first frame) and DICOM. Nothing leaves this computer.</p>
      </div>
      <button type="button" className="link" disabled={disabled} onClick={() => folderInput.current?.click()}>
        Choose a folder…
      </button>
      <input
        ref={folderInput}
        type="file"
        hidden
        multiple
        data-testid="folder-input"
        // Non-standard but universal: lets the picker select a whole folder.
        {...{ webkitdirectory: '' }}
        onChange={(e) => {
          onFiles(Array.from(e.target.files ?? []));
          e.target.value = '';
        }}
      />
    </div>
  );
}
