import 'server-only';
import type { TTx } from '@/db/client';
import { clientAddressOf, UNKNOWN_CLIENT_ADDRESS } from '@/lib/client-address';
import { auditLogs, type TAuditActorType, type TAuditEventType, type TAuditOutcome } from '@/db/schema/audit';

export interface TAuditActor {
  type: TAuditActorType;
  /** User id, API key id, or the system component's name. */
  id: string | null;
  /** A display name: the user's name or e-mail, the key's name, "Invoice run". */
  name: string;
}

export interface TAuditTarget {
  type: string;
  id?: string | null;
  name?: string | null;
}

/** Where a request came from; absent for jobs. */
export interface TAuditOrigin {
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export interface TAuditEvent extends TAuditOrigin {
  /** null: the platform's chain (operators on the apex, platform jobs). */
  tenantId: string | null;
  type: TAuditEventType;
  action: string;
  outcome?: TAuditOutcome;
  actor: TAuditActor;
  target?: TAuditTarget | null;
  metadata?: Record<string, unknown>;
  occurredAt?: Date;
}

export const SYSTEM_ACTOR = (name: string): TAuditActor => ({ type: 'system', id: null, name });

const clip = (value: string | null | undefined, max: number) => (value == null ? null : value.length > max ? value.slice(0, max) : value);

/**
 * Appends events to their tenants' chains, in the caller's transaction: the row exists if and only if the change
 * it describes commits. The BEFORE INSERT trigger gives each its sequence number and hash (under a lock on the
 * chain's head, held to commit: writers of one tenant take turns). Request code writes through withTenant (RLS
 * checks the tenant); platform code through withPlatform.
 */
export async function recordAudit(tx: TTx, ...events: TAuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(auditLogs).values(
    events.map((event) => ({
      tenantId: event.tenantId,
      // Milliseconds: the canonical form keeps microseconds, and JavaScript dates have no more.
      occurredAt: event.occurredAt ?? new Date(),
      eventType: event.type,
      action: event.action,
      outcome: event.outcome ?? 'success',
      actorType: event.actor.type,
      actorId: clip(event.actor.id, 200),
      actorName: clip(event.actor.name, 200) ?? '',
      targetType: clip(event.target?.type, 100),
      targetId: clip(event.target?.id, 200),
      targetName: clip(event.target?.name, 300),
      ip: clip(event.ip, 64),
      userAgent: clip(event.userAgent, 500),
      requestId: clip(event.requestId, 128),
      metadata: event.metadata ?? {},
    })),
  );
}

/** The client's address (as our server determined it, see lib/client-address), user agent and request id. */
export function originOf(headers: Headers, requestId?: string): TAuditOrigin {
  const address = clientAddressOf(headers);
  return {
    ip: address === UNKNOWN_CLIENT_ADDRESS ? null : address,
    userAgent: headers.get('user-agent'),
    requestId: requestId ?? headers.get('x-request-id'),
  };
}
