import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { decode } from 'next-auth/jwt';
import { config } from '@/lib/config';
import { findTenantRef, tenantSlugFromHost } from '@/lib/tenancy';
import { verifyHandoffToken } from './handoff';
import { burnPasswordCheck, verifyPassword } from './password';
import { assertSignInAllowed, clearSignInFailures, recordFailedSignIn } from './sign-in-limiter';
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

export function clientIp(get: (name: string) => string | null | undefined): string {
  return get('x-forwarded-for')?.split(',')[0]?.trim() || get('x-real-ip') || 'unknown';
}

/** The user a credentials sign-in names, after every check; throws Error(message) for next-auth to show. */
export async function authorizeCredentials(
  credentials: Record<string, string> | undefined,
  headers: THeaders | undefined,
): Promise<TUser> {
  const tenantSlug = tenantSlugFromHost(headerOf(headers, 'host'), config().APP_DOMAIN);
  const ip = clientIp((name) => headerOf(headers, name));

  let user: TUser | null = null;
  if (credentials?.handoff) {
    const userId = tenantSlug ? verifyHandoffToken(credentials.handoff, tenantSlug) : null;
    user = userId ? await findUserById(userId) : null;
    if (!user) throw new Error('This sign-in link has expired. Sign in with your password.');
  } else {
    const email = (credentials?.email ?? '').trim().toLowerCase();
    const password = credentials?.password ?? '';
    if (!email || !password) throw new Error('Enter your email and password.');
    await assertSignInAllowed(email, ip).catch((error: Error) => {
      throw new Error(error.message);
    });
    const found = await findUserForSignIn(email);
    const isValid = found ? await verifyPassword(found.passwordHash, password) : (await burnPasswordCheck(password), false);
    if (!found || !isValid) {
      await recordFailedSignIn(email, ip);
      throw new Error('Wrong email or password.');
    }
    await clearSignInFailures(email);
    const { passwordHash: _hash, ...rest } = found;
    user = rest;
  }

  if (tenantSlug) {
    const tenant = await findTenantRef(tenantSlug);
    if (!tenant || !tenant.isActive) throw new Error('This organisation does not exist or is deactivated.');
    if (!(await findMembershipRole(tenant.id, user.id))) {
      throw new Error(`This account is not a member of ${tenant.name}.`);
    }
  }
  await recordSignIn(user.id);
  return user;
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
          return { id: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.isPlatformAdmin = (user as { isPlatformAdmin?: boolean }).isPlatformAdmin ?? false;
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
