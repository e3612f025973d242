import 'server-only';
import type { TPlatformCaller, TTenantCaller } from './caller';

/** Who met an error, for error analytics (users affected, one caller causing most errors): `key:<id>` or `user:<id>`. */
export function errorUserKeyOf(caller: TTenantCaller | TPlatformCaller | null | undefined): string | null {
  if (!caller) return null;
  if ('principal' in caller) return caller.principal.kind === 'api_key' ? `key:${caller.principal.keyId}` : `user:${caller.principal.user.id}`;
  return `user:${caller.user.id}`;
}
