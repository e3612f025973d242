import type { TAuditEntry, TAuditEventType } from '@/lib/audit';

type TActorType = TAuditEntry['actor']['type'];

/** One audit event as the portal's table receives it (timestamps as ISO strings, metadata already formatted). */
export interface TAuditEventRow {
  id: string;
  seq: number;
  occurredAt: string;
  type: TAuditEventType;
  action: string;
  outcome: TAuditEntry['outcome'];
  actor: { type: TActorType; id: string | null; name: string };
  target: { type: string | null; id: string | null; name: string | null };
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  hash: string;
  /** JSON.stringify(metadata, null, 2). */
  metadataJson: string;
}

/** The audit summary of one period as the charts receive it. */
export interface TAuditSummaryView {
  period: string;
  from: string;
  to: string;
  total: number;
  failures: number;
  byAction: { action: string; count: number; failures: number }[];
  byActor: { actorType: TActorType; actorId: string | null; actorName: string; count: number }[];
  daily: { day: string; count: number; failures: number }[];
}
