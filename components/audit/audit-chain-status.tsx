import { Alert } from '@/components/ui/alert';
import { formatNumber } from '@/components/ui/format';
import type { TAuditVerification } from '@/lib/audit';
import { hashPrefix } from './audit-format';

const REASONS: Record<Extract<TAuditVerification, { ok: false }>['reason'], string> = {
  hash_mismatch: 'its hash does not match its contents: the row was changed after it was written',
  link_broken: 'it does not link to the event before it: an event was removed or reordered',
  sequence_gap: 'a sequence number is missing before it',
  head_mismatch: 'the chain stops short of its recorded head: events were removed from the end',
};

/** The result of walking this organisation's hash chain, as the server computed it for this page view. */
export function AuditChainStatus({ verification }: { verification: TAuditVerification }) {
  if (!verification.ok) {
    return (
      <Alert tone="error" title={`Chain broken at event #${verification.firstBrokenSeq} (${verification.reason.replace(/_/g, ' ')})`}>
        Event #{verification.firstBrokenSeq} fails the check: {REASONS[verification.reason]}. {formatNumber(verification.checked)} events were
        checked. Export the log and contact support; do not rely on events from #{verification.firstBrokenSeq} on.
      </Alert>
    );
  }
  return (
    <Alert tone="success" title={`Chain verified: ${formatNumber(verification.checked)} events, last hash ${hashPrefix(verification.lastHash)}`}>
      Every event’s hash matches its contents and links to the one before it, up to event #{verification.lastSeq}.
      <span className="mt-1 block font-mono text-xs break-all">{verification.lastHash}</span>
    </Alert>
  );
}
