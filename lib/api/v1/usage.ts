// Endpoint contracts of /api/v1/usage (usage capability).
import { ZUsageEventBatch, ZUsagePeriodQuery } from '@/lib/usage';
import { defineEndpoint } from '../endpoint';

export const reportUsageEventsEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/usage/events',
  summary:
    'Report a batch of 1–1,000 usage events (file_upload, file_processed, storage_bytes, cost_estimate), e.g. ' +
    'files processed by an external pipeline. Idempotent by event id; any invalid event answers 400 naming its ' +
    'index and nothing is stored. api_call is counted by the server and refused here. Needs files:write: ' +
    'reporting usage is writing the tenant’s file activity, the same right as uploading or processing a file',
  tag: 'Usage',
  access: 'tenant',
  permission: 'files:write',
  body: ZUsageEventBatch,
  responds: '{ accepted, duplicates }',
  audit: { type: 'data_modify', action: 'usage.report', target: { type: 'usage_events' } },
});

export const usageStatsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/usage/stats',
  summary:
    'Usage over the last 7d | 30d | 90d | 1y (UTC days, today included): totals per event type and a daily ' +
    'series with zeros on quiet days; storage_bytes is a gauge (the latest snapshot, not a sum)',
  tag: 'Usage',
  access: 'tenant',
  permission: 'usage:read',
  query: ZUsagePeriodQuery,
  responds: '{ period, from, to, totals, daily }',
});

export const usageBreakdownEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/usage/breakdown',
  summary: 'API calls per endpoint (method and route template) over the last 7d | 30d | 90d | 1y, most called first',
  tag: 'Usage',
  access: 'tenant',
  permission: 'usage:read',
  query: ZUsagePeriodQuery,
  responds: '{ period, from, to, endpoints: [{ endpoint, method, path, count }] }',
});

export const currentUsageEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/usage/current',
  summary:
    'This billing period (the calendar month in UTC): used, limit and percentage for files uploaded, API calls and ' +
    'storage (bytes stored now, hot and archived)',
  tag: 'Usage',
  access: 'tenant',
  permission: 'usage:read',
  responds: '{ periodStart, periodEnd, plan, files, apiCalls, storage: { used, limit, percentage, hotBytes, archivedBytes } }',
});
