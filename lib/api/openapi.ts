import { z } from 'zod';
import type { TEndpoint } from './endpoint';
import { ERROR_STATUS } from '@/lib/app-error';
import { MAX_JSON_BODY_BYTES } from '@/lib/request-body';
import { V1_ENDPOINTS } from './v1';

type TJsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType): TJsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as TJsonSchema;
  return rest;
};

function parametersOf(endpoint: TEndpoint): TJsonSchema[] {
  const parameters: TJsonSchema[] = [];
  for (const [where, schema] of [['path', endpoint.params], ['query', endpoint.query]] as const) {
    if (!schema) continue;
    const json = toSchema(schema) as { properties?: Record<string, TJsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  }
  if (endpoint.access === 'tenant') {
    parameters.push({
      name: 'X-Tenant-ID',
      in: 'header',
      required: false,
      description: 'Tenant id or slug, when not implied by the subdomain or the API key',
      schema: { type: 'string' },
    });
  }
  if (endpoint.idempotency) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Any 1–255 visible ASCII characters (e.g. a UUID): a retry with the same key and request answers the first call again (kept 24 hours)',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  return parameters;
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        message: { type: 'string' },
        details: {},
        requestId: { type: 'string' },
      },
    },
  },
};

/** The OpenAPI 3.1 document of /api/v1, generated from the same contracts the wrapper enforces. */
export function openApiDocument(serverUrl: string): TJsonSchema {
  const paths: Record<string, Record<string, TJsonSchema>> = {};
  for (const endpoint of V1_ENDPOINTS) {
    const success = String(endpoint.successStatus ?? (endpoint.method === 'DELETE' ? 204 : 200));
    paths[endpoint.path] ??= {};
    paths[endpoint.path][endpoint.method.toLowerCase()] = {
      summary: endpoint.summary,
      tags: [endpoint.tag],
      ...(endpoint.permission && { 'x-permission': endpoint.permission }),
      security:
        endpoint.access === 'public' ? [] : endpoint.access === 'platform' ? [{ session: [] }] : [{ apiKey: [] }, { session: [] }],
      parameters: parametersOf(endpoint),
      ...(endpoint.body && {
        requestBody: { required: true, content: { 'application/json': { schema: toSchema(endpoint.body) } } },
      }),
      responses: {
        [success]: { description: endpoint.responds ?? 'Success' },
        ...(endpoint.body && {
          '413': { description: `payload_too_large: the body is over ${MAX_JSON_BODY_BYTES} bytes`, content: errorContent },
          '415': { description: 'unsupported_media_type: the body is not sent as application/json', content: errorContent },
        }),
        default: { description: 'Error', content: errorContent },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sitework API',
      version: '1',
      description:
        'Multi-tenant API of Sitework. Authenticate with an API key: Authorization: Bearer sw_... ' +
        `JSON bodies must be sent with Content-Type: application/json (or application/*+json; a charset is allowed), else 415, and are limited to ${MAX_JSON_BODY_BYTES} bytes (1 MiB), else 413. ` +
        'A signed-in browser (session cookie) that changes something (POST, PUT, PATCH, DELETE) must send an Origin header naming ' +
        "the tenant's own portal or the apex site, else 403; requests with an API key are not checked.",
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key, sw_<prefix>_<secret>' },
        session: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' },
      },
      schemas: { Error: errorSchema },
    },
  };
}
