import { test as base, expect } from '@playwright/test';

// The simulated secrets: they must never reach the browser.
export const SIM_APP_SECRET = 'simulated0app0secret0not0real000';
export const SIM_CORP_SECRET = 'simulated0corp0secret0not0real00';

// Every test checks every response its page received for the app secret.
export const test = base.extend<{ noSecretInResponses: void }>({
  noSecretInResponses: [async ({ page }, use) => {
    const bodies: Promise<string>[] = [];
    page.on('response', r => bodies.push(r.text().catch(() => '')));
    await use();
    for (const body of await Promise.all(bodies)) {
      expect(body.includes(SIM_APP_SECRET), 'the app secret reached the browser').toBe(false);
      expect(body.includes(SIM_CORP_SECRET), 'the corp secret reached the browser').toBe(false);
    }
  }, { auto: true }],
});
export { expect };
