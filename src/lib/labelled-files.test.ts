import { describe, expect, it } from 'vitest';
import { collectLabelledFiles } from './labelled-files';

// What an <input webkitdirectory> hands over: Files whose webkitRelativePath starts with the picked folder.
const picked = (path: string) => {
  const f = new File([new Uint8Array([1])], path.split('/').pop()!);
  Object.defineProperty(f, 'webkitRelativePath', { value: path });
  return f;
};

describe('collectLabelledFiles', () => {
  it('takes the first folder below the picked one as the class, at any depth, sorted like the CLI', () => {
    const c = collectLabelledFiles([picked('set/normal/b.png'), picked('set/malignant/series/1.dcm'), picked('set/malignant/a.png'), picked('set/benign/x.jpg')]);
    expect(c.folders).toEqual(['benign', 'malignant', 'normal']);
    expect(c.files.map((f) => [f.path, f.folder])).toEqual([
      ['benign/x.jpg', 'benign'],
      ['malignant/a.png', 'malignant'],
      ['malignant/series/1.dcm', 'malignant'],
      ['normal/b.png', 'normal'],
    ]);
  });
  it('skips hidden files and lists files outside any class folder', () => {
    const c = collectLabelledFiles([picked('set/normal/.DS_Store'), picked('set/.hidden/a.png'), picked('set/readme.txt'), picked('set/normal/a.png')]);
    expect(c.files.map((f) => f.path)).toEqual(['normal/a.png']);
    expect(c.loose).toEqual(['readme.txt']);
  });
});
