// Page object: the app frame (navigation, connection banner, current screen).
import type { Page } from 'playwright-core';

export const screenNames = ['Containers', 'Images', 'Volumes', 'Networks', 'Events', 'Compose', 'Settings'] as const;
export type ScreenName = (typeof screenNames)[number];

export class AppShell {
  constructor(readonly page: Page) {}

  async open(url: string) {
    await this.page.goto(url, { waitUntil: 'load' });
    await this.waitConnected();
  }

  get nav() {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  navLink(name: ScreenName) {
    return this.nav.getByRole('link', { name, exact: true });
  }

  get connection() {
    return this.page.locator('.connection');
  }

  async waitConnected(timeout = 15_000) {
    await this.page.locator('.connection[data-status="connected"]').waitFor({ timeout });
  }

  async goTo(name: ScreenName) {
    await this.navLink(name).click();
    await this.heading(name).waitFor();
  }

  heading(name: string) {
    return this.page.getByRole('heading', { level: 1, name, exact: true });
  }
}
