import { defineConfig } from '@playwright/test';

/** Browser e2e against the console shell, in Debian's Chromium (no Playwright browser download). */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1400, height: 850 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'console', testMatch: /.*\.e2e\.ts/ },
    { name: 'electron', testMatch: /.*\.electron\.ts/ },
  ],
});
