// Page object: the Compose screen, and a compose file dropped on the window the way a file manager does it.
import type { Page } from 'playwright-core';

export class ComposePage {
  constructor(readonly page: Page) {}

  /** Dispatches a real drop event carrying `name` with `content` (a DataTransfer built in the page). */
  async drop(name: string, content: string) {
    await this.page.evaluate(
      ([fileName, text]) => {
        const data = new DataTransfer();
        data.items.add(new File([text!], fileName!, { type: 'application/yaml' }));
        const target = document.querySelector('main') ?? document.body;
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      [name, content],
    );
  }

  plan(file: string) {
    return this.page.getByRole('region', { name: `Plan for ${file}` });
  }

  steps(file: string) {
    return this.plan(file).getByRole('table', { name: 'Plan steps' });
  }

  errors(file: string) {
    return this.plan(file).getByRole('alert', { name: 'Compose file errors' });
  }
}
