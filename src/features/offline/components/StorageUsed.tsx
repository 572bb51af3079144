import { useEffect, useState } from 'react';
import { formatBytes } from '../format';
import { requestPersistence, storageInfo, type StorageInfo } from '../storage';

export interface StorageUsedProps {
  /** Change it (e.g. to the loaded model id) to measure again after the model is cached. */
  refreshKey?: unknown;
}

/** Storage used by the app (model cache included) and whether the browser will keep it. */
export function StorageUsed({ refreshKey }: StorageUsedProps) {
  const [info, setInfo] = useState<StorageInfo | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      await requestPersistence();
      const i = await storageInfo();
      if (live) setInfo(i);
    })();
    return () => {
      live = false;
    };
  }, [refreshKey]);
  if (!info || info.usage === null) return null;
  return (
    <p className="storage-used" data-testid="storage-used" data-usage={info.usage}>
      Storage used: {formatBytes(info.usage)}
      {info.quota ? ` of ${formatBytes(info.quota)}` : ''}
      {info.persisted === null ? '' : info.persisted ? ' · kept offline (persistent)' : ' · may be cleared by the browser under storage pressure'}
    </p>
  );
}
