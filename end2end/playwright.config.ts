import { defineConfig } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// One wxkit with the built-in simulator and a throw-away SQLite file.
const port = Number(process.env.E2E_PORT ?? 3917);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxkit-e2e-'));
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  workers: 1,
  reporter: 'list',
  use: {
    baseURL,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: 'target/release/wxkit serve',
    cwd: '..',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      WXKIT_SIMULATE: '1',
      WXKIT_ADDR: `127.0.0.1:${port}`,
      WXKIT_DATABASE_URL: `sqlite://${dataDir}/wxkit.db`,
      WXKIT_LOG: 'warn',
    },
  },
});
