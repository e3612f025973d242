import { createHmac } from 'node:crypto';
import postgres from 'postgres';

/**
 * Request code connects as sitework_app itself, a login role with no superuser, no BYPASSRLS and no membership in
 * the owner role. (Connecting as the owner and switching with SET ROLE would leave RLS one `RESET ROLE` away for
 * an injected statement.) Unless DATABASE_APP_URL names its own connection, the app role's password is derived
 * from NEXTAUTH_SECRET, which every replica already shares, and set by the migration step as the owner.
 */
export const APP_ROLE = 'sitework_app';

export function appRolePasswordFor(secret: string): string {
  return createHmac('sha256', secret).update('sitework_app database password').digest('base64url');
}

/** The owner's connection string with the app role's credentials: same server, same database. */
export function appDatabaseUrlFor(ownerUrl: string, secret: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = appRolePasswordFor(secret);
  return url.toString();
}

/** Lets the app role log in with the derived password (as the owner, after the migrations created the role). */
export async function enableAppRoleLogin(ownerUrl: string, secret: string): Promise<void> {
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    // A literal, not a parameter (ALTER ROLE takes none); base64url has no quote to escape.
    await sql.unsafe(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${appRolePasswordFor(secret)}'`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
