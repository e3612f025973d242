import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3100);
/** A second suite can run beside another on its own port, data and build folders. */
const DATA_DIR = process.env.E2E_DATA_DIR ?? '.data/e2e';
const DIST_DIR = process.env.E2E_DIST_DIR ?? '.next-e2e';

/**
 * End-to-end suite in Debian's Chromium (Playwright's own browser download cannot work here). The launcher
 * starts a fresh embedded database and S3 endpoint, builds into E2E_DIST_DIR (.next-e2e) and its packaged build
 * (.next-e2e-dist) unless E2E_REUSE_BUILD=1 (`npm test` built them first), and serves that server.mjs on E2E_PORT.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `npx tsx --conditions=react-server scripts/start.ts --fresh ${process.env.E2E_REUSE_BUILD ? '' : '--build'}`,
    url: `http://localhost:${PORT}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      PORT: String(PORT),
      SITEWORK_DATA_DIR: DATA_DIR,
      NEXT_DIST_DIR: DIST_DIR,
      LOG_LEVEL: 'warn',
      APP_URL: `http://localhost:${PORT}`,
      // /api/test/* (a route that throws, for the Errors page test).
      SITEWORK_TEST_ROUTES: '1',
    },
  },
});
