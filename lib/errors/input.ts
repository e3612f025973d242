import { z } from 'zod';
import { ERROR_GROUP_STATUSES } from '@/db/schema/errors';
import { ERROR_PERIODS, type TErrorPeriod } from './periods';

const periods = Object.keys(ERROR_PERIODS) as [TErrorPeriod, ...TErrorPeriod[]];

export const ZErrorPeriodQuery = z.object({ period: z.enum(periods).default('24h') }).strict();

export const ZErrorGroupsQuery = z
  .object({
    period: z.enum(periods).default('7d'),
    sort: z.enum(['count', 'last_seen', 'trend']).default('count'),
    status: z.enum(ERROR_GROUP_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type TErrorGroupsQuery = z.infer<typeof ZErrorGroupsQuery>;

export const ZAdminErrorGroupsQuery = ZErrorGroupsQuery.extend({
  /** A tenant id, or `none` for the platform's own errors (no tenant); absent: all. */
  tenant: z.union([z.uuid(), z.literal('none')]).optional(),
}).strict();
export type TAdminErrorGroupsQuery = z.infer<typeof ZAdminErrorGroupsQuery>;

export const ZErrorGroupParams = z.object({ id: z.uuid() });

export const ZErrorGroupDetailQuery = z.object({ period: z.enum(periods).default('7d') }).strict();

export const ZErrorGroupPatch = z.object({ status: z.enum(ERROR_GROUP_STATUSES) }).strict();
export type TErrorGroupPatch = z.infer<typeof ZErrorGroupPatch>;

/** A browser's report (components/ error boundary, window.onerror): every field bounded. */
export const ZClientErrorReport = z
  .object({
    message: z.string().min(1).max(4000),
    type: z.string().min(1).max(200).optional(),
    stack: z.string().max(12_000).optional(),
    /** The page the error happened on. */
    url: z.string().max(2000).optional(),
    userAgent: z.string().max(512).optional(),
    /** React's componentStack, a digest, the release the browser runs: small free-form facts. */
    componentStack: z.string().max(4000).optional(),
    digest: z.string().max(200).optional(),
    release: z.string().max(100).optional(),
  })
  .strict();
export type TClientErrorReport = z.infer<typeof ZClientErrorReport>;
