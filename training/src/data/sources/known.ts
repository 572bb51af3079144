/**
 * Sources whose content is known, and checked after every download (content-check). The default
 * is the one that needs no account: the seed project's public Google Drive zip.
 */
import { CHEST_CT_2CLASS_GDRIVE } from '../../config/default-source';
import type { ExpectedContent } from './content-check';

export const KNOWN_CONTENT: Readonly<Record<string, ExpectedContent>> = {
  [CHEST_CT_2CLASS_GDRIVE]: {
    name: 'the 2-class Chest-CT-Scan-data set (adenocarcinoma/, normal/)',
    files: 343,
    bytes: 49_247_431,
    folders: { adenocarcinoma: 195, normal: 148 },
    // As recorded for this folder in the seed project's dvc.lock.
    dvcDirHash: '904fa45d934ce879b3b1933dca6cb2f1.dir',
  },
};
