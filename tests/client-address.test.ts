import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ADDRESS_HEADER,
  clientAddressOf,
  parseTrustedProxies,
  resolveClientAddress,
  stampClientAddress,
} from '@/lib/client-address';

describe('the client address', () => {
  const none = parseTrustedProxies(undefined);
  const proxies = parseTrustedProxies('10.0.0.0/8, ::1');

  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(resolveClientAddress('203.0.113.9', '1.2.3.4', none)).toBe('203.0.113.9');
    expect(resolveClientAddress('::ffff:203.0.113.9', undefined, none)).toBe('203.0.113.9');
  });

  it('walks X-Forwarded-For back past trusted proxies only, so a hop the client wrote first is never believed', () => {
    // client (forges 1.2.3.4) → proxy 10.0.0.2 appends the client's real 198.51.100.7 → proxy 10.0.0.1 → us
    expect(resolveClientAddress('10.0.0.1', '1.2.3.4, 198.51.100.7, 10.0.0.2', proxies)).toBe('198.51.100.7');
    // A request straight from an untrusted address: its header is ignored.
    expect(resolveClientAddress('198.51.100.7', '10.0.0.5', proxies)).toBe('198.51.100.7');
    // A trusted proxy that forwards garbage: stop at the proxy rather than believe it.
    expect(resolveClientAddress('::1', 'not-an-address', proxies)).toBe('::1');
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address or CIDR range, naming it', () => {
    expect(() => parseTrustedProxies('10.0.0.0/8, proxy.internal')).toThrow(/"proxy.internal" is not an IP address or CIDR range/);
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/10.0.0.0\/33/);
  });

  it('reads only a well-formed address from our header, else one shared unknown bucket', () => {
    expect(clientAddressOf(new Headers({ [CLIENT_ADDRESS_HEADER]: '198.51.100.7' }))).toBe('198.51.100.7');
    expect(clientAddressOf(new Headers({ [CLIENT_ADDRESS_HEADER]: 'evil; drop' }))).toBe('unknown');
    expect(clientAddressOf(new Headers({ 'x-forwarded-for': '1.2.3.4' }))).toBe('unknown');
  });

  describe('stamped by the server', () => {
    const seen: (string | undefined)[] = [];
    const server = http.createServer((request, response) => {
      stampClientAddress(request, none);
      seen.push(request.headers[CLIENT_ADDRESS_HEADER] as string | undefined);
      response.end();
    });
    let port = 0;
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('replaces a client-sent address header and X-Forwarded-For with the socket peer', async () => {
      await fetch(`http://127.0.0.1:${port}/`, { headers: { [CLIENT_ADDRESS_HEADER]: '1.2.3.4', 'x-forwarded-for': '5.6.7.8' } });
      expect(seen).toEqual(['127.0.0.1']);
    });
  });
});
