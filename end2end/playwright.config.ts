import { defineConfig } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Three wxkits with throw-away SQLite files: one with the built-in simulator,
// one in production mode, one for a WeCom corp (see servers.ts).
import { port, baseURL, productionURL, wecomURL, ADMIN_USER, ADMIN_USER_ZH, ADMIN_PASSWORD } from './servers';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxkit-e2e-'));

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
  webServer: [
    {
      // With two admins for the dashboard tests (admin.spec.ts).
      command: `for u in ${ADMIN_USER} ${ADMIN_USER_ZH}; do printf '%s\\n' '${ADMIN_PASSWORD}' | target/release/wxkit admin create --username $u || exit 1; done && exec target/release/wxkit serve`,
      cwd: '..',
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        WXKIT_SIMULATE: '1',
        WXKIT_ADDR: `127.0.0.1:${port}`,
        // localhost is deliberately not a safe domain (config.spec.ts).
        WXKIT_JS_DOMAINS: '127.0.0.1',
        WXKIT_DATABASE_URL: `sqlite://${dataDir}/wxkit.db`,
        WXKIT_LOG: 'warn',
        // Every simulated visitor comes from 127.0.0.1: per-IP limits are
        // tested in server/tests, not here.
        WXKIT_WRITES_PER_IP: '100000',
        WXKIT_MEDIA_GETS_PER_IP: '100000',
      },
    },
    {
      // A production-mode wxkit (simulator off, real SDK URL) whose WeChat API
      // is the first server's simulator: what a desktop browser sees.
      command: 'target/release/wxkit serve',
      cwd: '..',
      url: `${productionURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        WXKIT_ADDR: `127.0.0.1:${port + 1}`,
        WXKIT_PUBLIC_ORIGIN: productionURL,
        WXKIT_APP_ID: 'wxd0c0ffee5117e5f1',
        WXKIT_APP_SECRET: 'simulated0app0secret0not0real000',
        WXKIT_WECHAT_API: `${baseURL}/_sim/api`,
        WXKIT_DATABASE_URL: `sqlite://${dataDir}/production.db`,
        WXKIT_LOG: 'warn',
      },
    },
    {
      // The pages of a WeCom corp (corp config, agentConfig, WeCom sign-in).
      command: 'target/release/wxkit serve',
      cwd: '..',
      url: `${wecomURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        WXKIT_SIMULATE: '1',
        WXKIT_ACCOUNT_KIND: 'wecom',
        WXKIT_ADDR: `127.0.0.1:${port + 2}`,
        WXKIT_JS_DOMAINS: '127.0.0.1',
        WXKIT_DATABASE_URL: `sqlite://${dataDir}/wecom.db`,
        WXKIT_LOG: 'warn',
        WXKIT_WRITES_PER_IP: '100000',
      },
    },
  ],
});
