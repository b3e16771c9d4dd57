import type { Browser, Page } from 'playwright-core';

/**
 * A fresh browser context logged in to the dashboard at `apiUrl`; page errors fail the test, confirmation dialogs
 * are accepted. Resolves once `ready` (a selector) is on the page.
 */
export async function loginAs(browser: Browser, apiUrl: string, user: { username: string; password: string }, ready = '[data-testid=map]'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(apiUrl);
  await page.fill('[data-testid=login-user]', user.username);
  await page.fill('[data-testid=login-password]', user.password);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector(ready);
  return page;
}
