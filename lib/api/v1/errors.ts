// Endpoint contracts of /api/v1/errors and /api/v1/admin/errors (errors capability).
import {
  ZAdminErrorGroupsQuery,
  ZErrorGroupDetailQuery,
  ZErrorGroupParams,
  ZErrorGroupPatch,
  ZErrorGroupsQuery,
  ZErrorPeriodQuery,
} from '@/lib/errors';
import { defineEndpoint } from '../endpoint';

export const reportClientErrorEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/v1/errors/client',
  summary:
    'Report a browser error: JSON { message, type?, stack?, url?, userAgent?, componentStack?, digest?, release? }. ' +
    'Public; attributed to the tenant whose subdomain serves the page. At most 16 KiB (413 payload_too_large, ' +
    'refused before reading more), 30 reports a minute per client address (an IPv6 /64 counts as one) and 300 a ' +
    'minute per tenant and process (429 rate_limited). The body is read by the ' +
    'handler under that limit, hence no body schema here',
  tag: 'Errors',
  access: 'public',
  successStatus: 202,
  responds: '{ accepted: true }',
  // Anonymous browser noise, rate limited: the error tables are its record, not the audit log.
  audit: false,
});

export const errorStatsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/errors/stats',
  summary:
    'Errors over the last 24h | 7d | 30d | 90d (whole UTC hours): totals, by type, by UTC hour of day, by route and ' +
    'source, an hourly series, and the API error rate (server errors of API-key calls / API-key calls from the usage rollup)',
  tag: 'Errors',
  access: 'tenant',
  permission: 'errors:read',
  query: ZErrorPeriodQuery,
  responds: '{ period, from, to, totals, byType, byHourOfDay, byRoute, bySource, errorRate, hourly }',
});

export const listErrorGroupsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/errors/groups',
  summary:
    'Error groups seen in the period (default 7d), sorted by events in the period (count), last_seen, or growth ' +
    'against the previous period (trend); filter by status. Each with its trend and a 24-point sparkline',
  tag: 'Errors',
  access: 'tenant',
  permission: 'errors:read',
  query: ZErrorGroupsQuery,
  responds: '{ period, groups: [{ id, title, culprit, errorType, status, isRegression, firstSeen, lastSeen, eventCount, usersAffected, trend, series }] }',
});

export const getErrorGroupEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/errors/groups/{id}',
  summary: 'One error group: the group, its latest 50 events, a sample stack and its hourly counts over the period (default 7d)',
  tag: 'Errors',
  access: 'tenant',
  permission: 'errors:read',
  params: ZErrorGroupParams,
  query: ZErrorGroupDetailQuery,
  responds: '{ group, period, events, sampleStack, hourly }',
});

export const updateErrorGroupEndpoint = defineEndpoint({
  method: 'PATCH',
  path: '/api/v1/errors/groups/{id}',
  summary: 'Resolve, ignore or reopen an error group: { status: resolved | ignored | unresolved }. A resolved group that occurs again reopens as a regression',
  tag: 'Errors',
  access: 'tenant',
  permission: 'errors:manage',
  params: ZErrorGroupParams,
  body: ZErrorGroupPatch,
  responds: '{ group }',
  audit: { type: 'data_modify', action: 'error_group.status_change', target: { type: 'error_group', from: 'group' } },
});

export const errorAnalysisEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/errors/analysis',
  summary:
    'Error analysis over the period: trend against the previous period, spikes (hours above mean + 3σ), ' +
    'concentration (one route or one caller causing over half the errors) and rule-based recommendations, each ' +
    'with impact and confidence scores (0–100) and its evidence',
  tag: 'Errors',
  access: 'tenant',
  permission: 'errors:read',
  query: ZErrorPeriodQuery,
  responds: '{ period, from, to, trend, spikes, concentration, recommendations: [{ rule, title, detail, impact, confidence, evidence }] }',
});

export const adminListErrorGroupsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/v1/admin/errors/groups',
  summary:
    'Error groups of every tenant and of the platform itself (errors with no tenant), with the tenant named; ' +
    'tenant=<id> or tenant=none narrows it',
  tag: 'Admin',
  access: 'platform',
  query: ZAdminErrorGroupsQuery,
  responds: '{ period, groups: [{ ...group, tenantId, tenantSlug, tenantName }] }',
});
