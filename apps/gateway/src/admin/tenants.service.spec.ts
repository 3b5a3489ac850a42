import { slugify } from './tenants.service';

describe('slugify', () => {
  it.each([
    ['Acme Corp', 'acme-corp'],
    ['Café Olé GmbH', 'cafe-ole-gmbh'],
    ['  --Hello,   World!--  ', 'hello-world'],
    ['A', 'tenant'],
    ['日本語', 'tenant'],
    ['x'.repeat(60), 'x'.repeat(40)],
    // Cut at 40 characters, never ending on a dash.
    [`${'abc-'.repeat(10)}xyz`, `${'abc-'.repeat(9)}abc`],
  ])('%s → %s', (name, slug) => {
    expect(slugify(name)).toBe(slug);
    expect(slug).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
  });
});
