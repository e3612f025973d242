import { afterEach, describe, expect, it } from 'vitest';
import { GET as fail } from '../app/api/test/fail/route';
import { GET as mail } from '../app/api/test/mail/route';
import { GET as slow } from '../app/api/test/slow/route';

/** The routes the test suites use are answered only by a server started with SITEWORK_TEST_ROUTES=1. */
const context = { params: Promise.resolve({}) };
const get = (path: string) => new Request(`http://localhost:3000${path}`, { headers: { host: 'localhost:3000' } });

afterEach(() => {
  delete process.env.SITEWORK_TEST_ROUTES;
});

describe('test routes', () => {
  it('answer a plain 404 without SITEWORK_TEST_ROUTES=1, before the wrapper runs', async () => {
    for (const [handler, path] of [
      [fail, '/api/test/fail'],
      [mail, '/api/test/mail?to=nobody@example.test'],
      [slow, '/api/test/slow?ms=0'],
    ] as const) {
      const response = await handler(get(path), context);
      expect(response.status).toBe(404);
      expect(response.headers.get('x-request-id')).toBeNull();
      expect(await response.text()).toBe('Not found');
    }
  });

  it('go through the wrapper with SITEWORK_TEST_ROUTES=1', async () => {
    process.env.SITEWORK_TEST_ROUTES = '1';
    const noMail = await mail(get('/api/test/mail?to=nobody@example.test'), context);
    expect(noMail.status).toBe(404);
    expect(noMail.headers.get('x-request-id')).toBeTruthy();
    expect((await noMail.json()).error.code).toBe('not_found');
    const noCaller = await fail(get('/api/test/fail'), context);
    expect(noCaller.status).toBe(401);
  });
});
