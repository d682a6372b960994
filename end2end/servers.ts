// Where the test servers listen (see playwright.config.ts).
export const port = Number(process.env.E2E_PORT ?? 3917);
/// wxkit with the built-in simulator.
export const baseURL = `http://127.0.0.1:${port}`;
/// wxkit in production mode (simulator off) whose WeChat API is the first one's simulator.
export const productionURL = `http://127.0.0.1:${port + 1}`;
/// wxkit with the built-in simulator, for a WeCom (enterprise WeChat) corp.
export const wecomURL = `http://127.0.0.1:${port + 2}`;
/// The admin the first server is started with.
export const ADMIN_USER = 'e2e-admin';
/// A second admin of the first server, who switches the dashboard to Chinese
/// (the language is kept with the admin: the other tests' admin stays as it is).
export const ADMIN_USER_ZH = 'e2e-admin-zh';
export const ADMIN_PASSWORD = 'e2e admin password';
