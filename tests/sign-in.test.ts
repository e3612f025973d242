import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownerDb } from '@/db/client';
import { DEMO_PASSWORD, seedDemoData } from '@/db/seed';
import { authorizeCredentials, createHandoffToken, findUserById } from '@/lib/auth';
import { demoUsers, type TDemo } from './support/http';

let demo: TDemo;

beforeAll(async () => {
  await seedDemoData();
  demo = await demoUsers();
});

const on = (host: string, ip = '203.0.113.7') => ({ host, 'x-forwarded-for': ip });

describe('credentials sign-in', () => {
  it('signs a member in on the apex and on their tenant portal, and records the sign-in', async () => {
    const apex = await authorizeCredentials({ email: 'owner@acme.test', password: DEMO_PASSWORD }, on('localhost:3000'));
    expect(apex.id).toBe(demo.acme.owner.id);
    const portal = await authorizeCredentials({ email: 'OWNER@acme.test ', password: DEMO_PASSWORD }, on('acme.localhost:3000'));
    expect(portal.id).toBe(demo.acme.owner.id);
    const [row] = await ownerDb().execute<{ last: Date | null }>(sql`select last_sign_in_at as last from users where id = ${apex.id}`);
    expect(row.last).not.toBeNull();
  });

  it('refuses a wrong password with a message that does not say whether the account exists', async () => {
    await expect(
      authorizeCredentials({ email: 'admin@acme.test', password: 'not-the-password' }, on('localhost:3000', '198.51.100.1')),
    ).rejects.toThrow('Wrong email or password.');
    await expect(
      authorizeCredentials({ email: 'nobody@acme.test', password: 'not-the-password' }, on('localhost:3000', '198.51.100.1')),
    ).rejects.toThrow('Wrong email or password.');
  });

  it('refuses a member of another tenant on this tenant portal', async () => {
    await expect(
      authorizeCredentials({ email: 'owner@acme.test', password: DEMO_PASSWORD }, on('globex.localhost:3000')),
    ).rejects.toThrow('This account is not a member of Globex Engineering.');
  });

  it('locks an account after five failures, whatever the IP, and says when to come back', async () => {
    const email = 'editor@globex.test';
    for (let i = 0; i < 5; i += 1) {
      await expect(
        authorizeCredentials({ email, password: `wrong-${i}` }, on('localhost:3000', `192.0.2.${i + 1}`)),
      ).rejects.toThrow('Wrong email or password.');
    }
    // Even the right password is refused now, from a fresh address.
    await expect(
      authorizeCredentials({ email, password: DEMO_PASSWORD }, on('localhost:3000', '192.0.2.200')),
    ).rejects.toThrow(/Too many sign-in attempts\. Try again in 15 minutes\./);
  });

  it('limits one IP across accounts', async () => {
    const ip = '198.51.100.99';
    for (let i = 0; i < 20; i += 1) {
      await authorizeCredentials({ email: `guess${i}@example.com`, password: 'x-wrong-password' }, on('localhost:3000', ip)).catch(() => {});
    }
    await expect(
      authorizeCredentials({ email: 'viewer@acme.test', password: DEMO_PASSWORD }, on('localhost:3000', ip)),
    ).rejects.toThrow(/Too many sign-in attempts/);
  });

  it('accepts a handoff token only on the tenant it was made for and only while fresh', async () => {
    const user = (await findUserById(demo.acme.admin.id))!;
    const token = createHandoffToken(user.id, 'acme');
    await expect(authorizeCredentials({ handoff: token }, on('acme.localhost:3000'))).resolves.toMatchObject({ id: user.id });
    await expect(authorizeCredentials({ handoff: token }, on('globex.localhost:3000'))).rejects.toThrow(/expired/);
    await expect(authorizeCredentials({ handoff: `${token}x` }, on('acme.localhost:3000'))).rejects.toThrow(/expired/);
    await expect(authorizeCredentials({ handoff: token }, on('localhost:3000'))).rejects.toThrow(/expired/);
  });
});
