import { encode } from 'next-auth/jwt';
import { expect } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { ownerDb } from '@/db/client';
import { memberships, users, type TRole } from '@/db/schema/auth';
import { tenants } from '@/db/schema/tenancy';
import { OPERATOR_EMAIL, demoEmail } from '@/db/seed';
import { createApiKey, type TPermission } from '@/lib/auth';
import { withTenant } from '@/lib/tenancy';

/**
 * Calling route handlers as Next would: a real Request with the Host, cookie and bearer a browser or an
 * API client would send, and the response read back as JSON.
 */
export type TRouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;

// Response bodies are pinned down by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TJson = any;

export interface TSessionSubject {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin?: boolean;
}

export interface TCallOptions {
  method?: string;
  path: string;
  /** Defaults to the apex, localhost:3000. */
  host?: string;
  headers?: Record<string, string>;
  /** A string is sent as is (for malformed JSON), a stream as a chunked body without Content-Length; anything else as JSON. */
  body?: unknown;
  /** The Content-Type of a body: application/json unless given; `null` sends none. */
  contentType?: string | null;
  params?: Record<string, string>;
  cookieFor?: TSessionSubject;
  apiKey?: string;
  /**
   * The Origin header. By default a signed-in call carries its own host's origin, as a browser's request from
   * one of that host's pages does; `null` sends none.
   */
  origin?: string | null;
}

export interface TCallResult {
  status: number;
  body: TJson;
  text: string;
  headers: Headers;
}

export const APEX_HOST = 'localhost:3000';
export const hostOf = (slug: string): string => `${slug}.localhost:3000`;

/** The Origin a browser sends with requests made by a page of `host`. */
export const browserOriginOf = (host: string): string => `http://${host}`;

export async function sessionCookie(user: TSessionSubject): Promise<string> {
  const token = await encode({
    token: { sub: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin ?? false },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  return `next-auth.session-token=${token}`;
}

export async function callRoute(handler: TRouteHandler, options: TCallOptions): Promise<TCallResult> {
  const host = options.host ?? APEX_HOST;
  const headers = new Headers({ host, ...options.headers });
  if (options.cookieFor) headers.set('cookie', await sessionCookie(options.cookieFor));
  if (options.apiKey) headers.set('authorization', `Bearer ${options.apiKey}`);
  const origin = options.origin === undefined ? (options.cookieFor ? browserOriginOf(host) : null) : options.origin;
  if (origin && !headers.has('origin')) headers.set('origin', origin);
  let body: string | Uint8Array | ReadableStream<Uint8Array> | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' || options.body instanceof ReadableStream ? options.body : JSON.stringify(options.body);
    const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
    if (contentType !== null) headers.set('content-type', contentType);
    // Sent as bytes, a string gets no text/plain type of its own.
    else if (typeof body === 'string') body = new TextEncoder().encode(body);
  }
  const init = { method: options.method ?? 'GET', headers, body, ...(body instanceof ReadableStream && { duplex: 'half' }) };
  const request = new Request(`http://${host}${options.path}`, init as RequestInit);
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, body: isJson && text ? JSON.parse(text) : null, text, headers: response.headers };
}

export interface TDemoUser extends TSessionSubject {
  isPlatformAdmin: boolean;
}

export interface TDemoMember extends TDemoUser {
  membershipId: string;
  role: TRole;
}

export type TDemoTenant = { id: string; slug: string } & Record<TRole, TDemoMember>;

export interface TDemo {
  operator: TDemoUser;
  acme: TDemoTenant;
  globex: TDemoTenant;
}

const ROLES: TRole[] = ['owner', 'admin', 'editor', 'viewer'];

async function findUser(email: string): Promise<TDemoUser> {
  const [user] = await ownerDb()
    .select({ id: users.id, email: users.email, name: users.name, isPlatformAdmin: users.isPlatformAdmin })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`);
  if (!user) throw new Error(`No user ${email}: call seedDemoData() first`);
  return user;
}

async function demoTenant(slug: string): Promise<TDemoTenant> {
  const [tenant] = await ownerDb().select({ id: tenants.id, slug: tenants.slug }).from(tenants).where(eq(tenants.slug, slug));
  if (!tenant) throw new Error(`No tenant ${slug}: call seedDemoData() first`);
  const entries = await Promise.all(
    ROLES.map(async (role) => {
      const user = await findUser(demoEmail(role, slug));
      const [membership] = await ownerDb()
        .select({ id: memberships.id })
        .from(memberships)
        .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, user.id)));
      return [role, { ...user, membershipId: membership?.id ?? '', role }] as const;
    }),
  );
  return { ...tenant, ...Object.fromEntries(entries) } as TDemoTenant;
}

/** The seeded operator, tenants and their owner, admin, editor and viewer, by email and slug. */
export async function demoUsers(): Promise<TDemo> {
  const [operator, acme, globex] = await Promise.all([findUser(OPERATOR_EMAIL), demoTenant('acme'), demoTenant('globex')]);
  return { operator, acme, globex };
}

/** An API key of a tenant created by its seeded member of `creatorRole`; returns the secret. */
export async function createKey(
  tenantSlug: 'acme' | 'globex',
  creatorRole: TRole,
  scopes: TPermission[],
  options: { name?: string; expiresAt?: Date } = {},
): Promise<string> {
  const tenant = (await demoUsers())[tenantSlug];
  const creator = tenant[creatorRole];
  const key = await withTenant(tenant.id, (tx) =>
    createApiKey(tx, tenant.id, { userId: creator.id, role: creatorRole }, {
      name: options.name ?? `${creatorRole} key`,
      scopes,
      expiresAt: options.expiresAt,
    }),
  );
  return key.secret;
}

/** The one error shape: `{ error: { code, message, requestId } }`, the request id echoed in X-Request-Id. */
export function expectError(result: TCallResult, status: number, code: string, message?: RegExp): void {
  expect({ status: result.status, code: result.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(result.body)).toEqual(['error']);
  expect(result.body.error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
  expect(result.body.error.message.length).toBeGreaterThan(0);
  expect(result.body.error.requestId).toBe(result.headers.get('x-request-id'));
  if (message) expect(result.body.error.message).toMatch(message);
}
