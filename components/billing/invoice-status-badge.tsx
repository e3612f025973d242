import { Badge, type TBadgeTone } from '@/components/ui/badge';
import type { TInvoiceStatus } from '@/db/schema/billing';

const TONES: Record<TInvoiceStatus, TBadgeTone> = { draft: 'neutral', open: 'blue', paid: 'green', void: 'neutral', uncollectible: 'red' };

/** The invoice's state, and "overdue" beside it when it is open past its due date (overdue is not a state). */
export function InvoiceStatusBadge({ status, isOverdue }: { status: TInvoiceStatus; isOverdue: boolean }) {
  return (
    <span className="inline-flex gap-1">
      <Badge tone={TONES[status]}>{status}</Badge>
      {isOverdue && <Badge tone="amber">overdue</Badge>}
    </span>
  );
}
