import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth';

// next-auth's own handler: sign-in, sign-out, CSRF and session endpoints. Not a route() endpoint, so the API's
// Origin rule does not apply: next-auth refuses a sign-in, sign-out, credentials callback or session update whose
// body lacks the CSRF token matching its own (host-only) csrf-token cookie, which a page of another site cannot read.
const handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) =>
  NextAuth(authOptions())(request, context);

export { handler as GET, handler as POST };
