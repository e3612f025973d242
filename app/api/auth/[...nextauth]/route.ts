import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth';

// next-auth's own handler: sign-in, sign-out, CSRF and session endpoints.
const handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) =>
  NextAuth(authOptions())(request, context);

export { handler as GET, handler as POST };
