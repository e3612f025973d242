import { buttonClass } from '@/components/ui/button';
import { auditPageHref, type TAuditFormValues } from './audit-query';

/** Newest / Older links of an audit event list (keyset pages by the chain's seq), filters and period kept. */
export function AuditPager({
  values,
  period,
  beforeSeq,
  olderThanSeq,
}: {
  values: TAuditFormValues;
  period: string;
  /** The page shown is before this seq (absent: the newest page). */
  beforeSeq: number | undefined;
  /** The last seq shown, when there are older events. */
  olderThanSeq: number | undefined;
}) {
  if (olderThanSeq === undefined && beforeSeq === undefined) return null;
  return (
    <nav aria-label="Audit pages" className="flex justify-between gap-2 border-t border-slate-200 px-4 py-3 sm:px-5">
      {beforeSeq !== undefined ? (
        <a href={auditPageHref(values, { period })} className={buttonClass('secondary', 'sm')}>
          Newest
        </a>
      ) : (
        <span />
      )}
      {olderThanSeq !== undefined && (
        <a href={auditPageHref(values, { period, before: String(olderThanSeq) })} className={buttonClass('secondary', 'sm')}>
          Older
        </a>
      )}
    </nav>
  );
}
