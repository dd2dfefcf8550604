import { expect, test } from './fixtures';

test('outside Sealcall the page says it must run inside the app', async ({ harness }) => {
  const bare = await harness.openBarePage();
  const { page } = bare;
  try {
    await expect(page.getByRole('alert')).toContainText('only works inside it');
    await expect(page.getByRole('heading', { level: 1, name: 'Sealcall' })).toBeVisible();
    await expect(page.getByRole('contentinfo')).toHaveCount(0);
  } finally {
    await bare.close();
  }
});
