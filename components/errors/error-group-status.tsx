import { Badge, type TBadgeTone } from '@/components/ui/badge';
import type { TErrorGroup } from '@/lib/errors';

const STATUS_TONE: Record<TErrorGroup['status'], TBadgeTone> = { unresolved: 'red', resolved: 'green', ignored: 'neutral' };

/** The group's status, and a regression badge when a resolved group occurred again. */
export function ErrorGroupStatus({ status, isRegression }: Pick<TErrorGroup, 'status' | 'isRegression'>) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <Badge tone={STATUS_TONE[status]}>{status}</Badge>
      {isRegression && <Badge tone="amber">regression</Badge>}
    </span>
  );
}
