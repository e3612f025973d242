import { formatBytes } from '@/components/ui/format';

/** Used storage against the quota, hot and archived bytes as two segments. */
export function StorageBar({ hotBytes, archivedBytes, quotaBytes }: { hotBytes: number; archivedBytes: number; quotaBytes: number }) {
  const percentOf = (bytes: number) => (quotaBytes > 0 ? Math.min(100, (bytes / quotaBytes) * 100) : 100);
  const usedBytes = hotBytes + archivedBytes;
  const usedPercent = percentOf(usedBytes);
  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <p className="font-medium text-slate-900">
          {formatBytes(usedBytes)} of {formatBytes(quotaBytes)} used
        </p>
        <p className="text-xs text-slate-500">
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-brand" aria-hidden /> hot {formatBytes(hotBytes)}
          <span className="mr-1 ml-3 inline-block h-2 w-2 rounded-full bg-slate-400" aria-hidden /> archived {formatBytes(archivedBytes)}
        </p>
      </div>
      <div
        role="meter"
        aria-label="Storage used"
        aria-valuemin={0}
        aria-valuemax={quotaBytes}
        aria-valuenow={Math.min(usedBytes, quotaBytes)}
        aria-valuetext={`${formatBytes(usedBytes)} of ${formatBytes(quotaBytes)} (${Math.round(usedPercent)} %)`}
        className="mt-2 flex h-2.5 overflow-hidden rounded-full bg-slate-100"
      >
        <div className="bg-brand" style={{ width: `${percentOf(hotBytes)}%` }} />
        <div className="bg-slate-400" style={{ width: `${Math.max(0, percentOf(usedBytes) - percentOf(hotBytes))}%` }} />
      </div>
    </div>
  );
}
