import type { TEndpoint } from '../endpoint';
import * as archival from './archival';
import * as audit from './audit';
import * as billing from './billing';
import * as errors from './errors';
import * as estimates from './estimates';
import * as files from './files';
import * as tenancy from './tenancy';
import * as usage from './usage';

export * from './archival';
export * from './audit';
export * from './billing';
export * from './errors';
export * from './estimates';
export * from './files';
export * from './tenancy';
export * from './usage';
// Not in V1_ENDPOINTS: the webhook is served at /api/webhooks/stripe, outside the documented API.
export * from './stripe';

const isEndpoint = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && 'method' in value && 'path' in value;

/** Every /api/v1 endpoint, for the OpenAPI document (a test checks each route file is listed). */
export const V1_ENDPOINTS = [tenancy, files, archival, usage, billing, errors, audit, estimates].flatMap((group) => Object.values(group).filter(isEndpoint)) as unknown as TEndpoint[];
