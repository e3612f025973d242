import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { decode } from 'next-auth/jwt';
import { config } from '@/lib/config';
import { isAppError } from '@/lib/app-error';
import { recordAudit, recordRepeatedFailure, type TAuditEvent } from '@/lib/audit';
import { clientAddressOf, UNKNOWN_CLIENT_ADDRESS } from '@/lib/client-address';
import { logger } from '@/lib/telemetry';
import { findTenantRef, tenantSlugFromHost, withPlatform } from '@/lib/tenancy';
import { redeemHandoffToken } from './handoff';
import { burnPasswordCheck, verifyPassword } from './password';
import { admitPasswordAttempt, type TPasswordAttempt } from './password-attempts';
import { findMembershipRole, findUserById, findUserForSignIn, recordSignIn, type TUser } from './users';

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;
const SESSION_COOKIES = ['__Secure-next-auth.session-token', 'next-auth.session-token'];

export interface TSessionUser {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
}

type THeaders = Record<string, string | string[] | undefined>;

const headerOf = (headers: THeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Sign-in events go to the audit log of the portal signed in to (the platform's on the apex), each in its own
 * transaction: a refused sign-in changes nothing else. A failure to write one is logged, never shown to the person.
 */
async function auditSignIn(tenantId: string | null, event: Omit<TAuditEvent, 'tenantId'>): Promise<void> {
  await withPlatform((tx) => recordAudit(tx, { tenantId, ...event })).catch((error: unknown) => {
    logger.error({ err: error, action: event.action }, 'could not record a sign-in in the audit log');
  });
}

/** The user a credentials sign-in names, after every check; throws Error(message) for next-auth to show. */
export async function authorizeCredentials(
  credentials: Record<string, string> | undefined,
  headers: THeaders | undefined,
): Promise<TUser & { signedInTenantId: string | null }> {
  const tenantSlug = tenantSlugFromHost(headerOf(headers, 'host'), config().APP_DOMAIN);
  const clientAddress = clientAddressOf((name) => headerOf(headers, name));
  const tenant = tenantSlug ? await findTenantRef(tenantSlug) : null;
  const origin = {
    ip: clientAddress === UNKNOWN_CLIENT_ADDRESS ? null : clientAddress,
    userAgent: headerOf(headers, 'user-agent') ?? null,
    requestId: headerOf(headers, 'x-request-id') ?? null,
  };
  // Anyone can fail a sign-in on any portal: failures are recorded once a minute per client, with a count.
  const refused = async (reason: string, name: string, userId: string | null, message: string): Promise<never> => {
    await recordRepeatedFailure({
      tenantId: tenant?.id ?? null,
      type: 'login_failed',
      action: 'auth.sign_in',
      outcome: 'failure',
      actor: { type: 'user', id: userId, name },
      metadata: { reason },
      ...origin,
    });
    throw new Error(message);
  };

  let user: TUser | null = null;
  if (credentials?.handoff) {
    const userId = tenantSlug ? await redeemHandoffToken(credentials.handoff, tenantSlug) : null;
    user = userId ? await findUserById(userId) : null;
    if (!user) throw new Error('This sign-in link has expired or was already used. Sign in with your password.');
  } else {
    const email = (credentials?.email ?? '').trim().toLowerCase();
    const password = credentials?.password ?? '';
    if (!email || !password) throw new Error('Enter your email and password.');
    let attempt: TPasswordAttempt;
    try {
      attempt = await admitPasswordAttempt(email, clientAddress);
    } catch (error) {
      if (isAppError(error) && error.code === 'rate_limited') return refused('rate_limited', email, null, error.message);
      throw error;
    }
    const found = await findUserForSignIn(email);
    const isValid = found ? await verifyPassword(found.passwordHash, password) : (await burnPasswordCheck(password), false);
    if (!found || !isValid) {
      return refused(found ? 'wrong_password' : 'unknown_account', email, found?.id ?? null, 'Wrong email or password.');
    }
    await attempt.succeeded();
    const { passwordHash: _hash, ...rest } = found;
    user = rest;
  }

  if (tenantSlug) {
    if (!tenant || !tenant.isActive) throw new Error('This organisation does not exist or is deactivated.');
    if (!(await findMembershipRole(tenant.id, user.id))) {
      return refused('not_a_member', user.email, user.id, `This account is not a member of ${tenant.name}.`);
    }
  }
  await recordSignIn(user.id);
  await auditSignIn(tenant?.id ?? null, {
    type: 'login',
    action: 'auth.sign_in',
    actor: { type: 'user', id: user.id, name: user.name || user.email },
    metadata: { method: credentials?.handoff ? 'handoff' : 'password' },
    ...origin,
  });
  return { ...user, signedInTenantId: tenant?.id ?? null };
}

export function authOptions(): NextAuthOptions {
  return {
    secret: config().NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        name: 'Email and password',
        credentials: { email: { type: 'email' }, password: { type: 'password' }, handoff: { type: 'text' } },
        authorize: async (credentials, req) => {
          const user = await authorizeCredentials(credentials, req?.headers as THeaders | undefined);
          return { id: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin, tenantId: user.signedInTenantId };
        },
      }),
    ],
    events: {
      async signOut({ token }) {
        if (!token?.sub) return;
        await auditSignIn((token.tenantId as string | null | undefined) ?? null, {
          type: 'logout',
          action: 'auth.sign_out',
          actor: { type: 'user', id: token.sub, name: token.name ?? token.email ?? token.sub },
        });
      },
    },
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.isPlatformAdmin = (user as { isPlatformAdmin?: boolean }).isPlatformAdmin ?? false;
          // The portal signed in to (sessions are per host), so that signing out is recorded in its audit log.
          token.tenantId = (user as { tenantId?: string | null }).tenantId ?? null;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub, isPlatformAdmin: token.isPlatformAdmin } };
      },
    },
  };
}

function parseCookies(header: string | null | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return map;
}

/** The signed-in user of a request, from next-auth's JWT session cookie, or null. No database access. */
export async function readSessionUser(cookieHeader: string | null | undefined): Promise<TSessionUser | null> {
  const cookies = parseCookies(cookieHeader);
  const token = SESSION_COOKIES.map((name) => cookies.get(name)).find(Boolean);
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: config().NEXTAUTH_SECRET });
    if (!payload?.sub || !payload.email) return null;
    return {
      id: payload.sub,
      email: payload.email,
      name: payload.name ?? payload.email,
      isPlatformAdmin: payload.isPlatformAdmin === true,
    };
  } catch {
    return null;
  }
}
