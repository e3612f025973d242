/** The tests' NEXTAUTH_SECRET: the app role's database password derives from it (db/app-role.ts). */
export const TEST_NEXTAUTH_SECRET = 'test-secret-test-secret-test-secret-0123456789';
