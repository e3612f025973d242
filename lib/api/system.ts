import { defineEndpoint } from './endpoint';

/** Operational endpoints outside /api/v1 (not in the OpenAPI document). */
export const healthEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/health',
  summary: 'Liveness: the process answers',
  tag: 'System',
  access: 'public',
});

export const readinessEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/health/ready',
  summary: 'Readiness: the database and object storage answer',
  tag: 'System',
  access: 'public',
});

export const metricsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/metrics',
  summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set)',
  tag: 'System',
  access: 'public',
});
