import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * The address of the client that sent a request, for rate limits and audit: a key the caller cannot choose.
 *
 * Next's own server keeps a client-sent `X-Forwarded-For` as it is, so a route handler cannot tell a real
 * proxy's header from a forged one. Our server (scripts/serve.ts) therefore decides once, from the socket's
 * address and `TRUSTED_PROXIES`, and passes the answer on in a header of its own, replacing any value a
 * client sent. Route handlers, actions and sign-in read only that header.
 */
export const CLIENT_ADDRESS_HEADER = 'x-sitework-client-address';

/** When a request did not come through our server (a unit test calling a handler directly): one shared bucket. */
export const UNKNOWN_CLIENT_ADDRESS = 'unknown';

type THeaderSource = Headers | ((name: string) => string | null | undefined);

/** The client address our server determined for this request. */
export function clientAddressOf(headers: THeaderSource): string {
  const value = typeof headers === 'function' ? headers(CLIENT_ADDRESS_HEADER) : headers.get(CLIENT_ADDRESS_HEADER);
  const address = value?.trim();
  return address && isIP(address) ? address : UNKNOWN_CLIENT_ADDRESS;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1] : trimmed;
}

/**
 * The trusted proxies of `TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges (`10.0.0.0/8`, `::1`).
 * Throws on an entry that is neither, naming it.
 */
export function parseTrustedProxies(list: string | undefined): BlockList {
  const blocks = new BlockList();
  for (const entry of (list ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split('/');
    const family = isIP(normaliseAddress(address));
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (!family || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= maxBits))) {
      throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) blocks.addAddress(normaliseAddress(address), type);
    else blocks.addSubnet(normaliseAddress(address), bits, type);
  }
  return blocks;
}

function isTrusted(address: string, trusted: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Walks back from the socket's peer: while the current hop is a trusted proxy, the hop before it is the one its
 * `X-Forwarded-For` names last. The first untrusted hop is the client. With no trusted proxies (the default)
 * the socket's peer is the client and `X-Forwarded-For` is ignored.
 */
export function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trusted: BlockList): string {
  let current = normaliseAddress(socketAddress ?? '');
  if (!isIP(current)) return UNKNOWN_CLIENT_ADDRESS;
  const hops = (forwardedFor ?? '').split(',').map(normaliseAddress).filter(Boolean);
  while (isTrusted(current, trusted) && hops.length > 0) {
    const previous = hops.pop()!;
    if (!isIP(previous)) break;
    current = previous;
  }
  return current;
}

/** Sets our header on an incoming request (replacing any value the client sent), as scripts/serve.ts does for each. */
export function stampClientAddress(request: IncomingMessage, trusted: BlockList): void {
  const forwarded = request.headers['x-forwarded-for'];
  const forwardedFor = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  request.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(request.socket.remoteAddress, forwardedFor, trusted);
}

/**
 * The network a client address stands for, as a rate-limit key: an IPv4 address itself, an IPv6 address its /64
 * (one subscriber gets a whole /64, so counting single IPv6 addresses would give an attacker 2^64 fresh keys).
 */
export function clientNetworkOf(clientAddress: string): string {
  const address = normaliseAddress(clientAddress);
  if (isIP(address) !== 6) return address;
  const groupsOf = (part: string) =>
    part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : [];
  const [head, tail] = address.toLowerCase().split('::');
  const leading = groupsOf(head);
  const trailing = tail === undefined ? [] : groupsOf(tail);
  const groups = [...leading, ...Array<string>(Math.max(0, 8 - leading.length - trailing.length)).fill('0'), ...trailing];
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}
