// Page object: the Settings screen.
import type { Page } from 'playwright-core';

export class SettingsPage {
  constructor(readonly page: Page) {}

  fact(name: string) {
    return this.page.locator('dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
  }

  get toolsTable() {
    return this.page.getByRole('table', { name: 'Tools' });
  }
}
