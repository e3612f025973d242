import { z } from 'zod';
import { USAGE_EVENT_TYPES } from '@/db/schema/usage';
import { USAGE_PERIODS, type TUsagePeriod } from './stats';

export const MAX_EVENTS_PER_BATCH = 1000;
const FUTURE_SKEW_MS = 5 * 60_000;
const OLDEST_DAYS = 366;

/** One event a script reports. api_call is refused: only the request wrapper counts calls. */
export const ZReportedUsageEvent = z
  .object({
    id: z.uuid('must be a UUID'),
    type: z
      .enum(USAGE_EVENT_TYPES)
      .refine((type) => type !== 'api_call', 'api_call is counted by the server and cannot be reported'),
    quantity: z.number().int('must be an integer').min(0).max(Number.MAX_SAFE_INTEGER),
    occurredAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
      .transform((value) => new Date(value))
      .refine((date) => date.getTime() <= Date.now() + FUTURE_SKEW_MS, 'must not be in the future')
      .refine((date) => date.getTime() >= Date.now() - OLDEST_DAYS * 86_400_000, `must be within the last ${OLDEST_DAYS} days`),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const ZUsageEventBatch = z
  .object({ events: z.array(ZReportedUsageEvent).min(1, 'must hold at least one event').max(MAX_EVENTS_PER_BATCH, `must hold at most ${MAX_EVENTS_PER_BATCH} events`) })
  .strict();
export type TUsageEventBatch = z.infer<typeof ZUsageEventBatch>;

export const ZUsagePeriodQuery = z
  .object({
    period: z
      .enum(Object.keys(USAGE_PERIODS) as [TUsagePeriod, ...TUsagePeriod[]])
      .default('30d'),
  })
  .strict();
