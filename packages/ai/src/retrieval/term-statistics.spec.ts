import { COMMON_TERM_MATCHES, NO_STATISTICS, preferVectorIndex, selectMatchTerms, type TermStatistics } from './term-statistics';

const stats: TermStatistics = {
  rows: 100_000,
  tenantShare: new Map([['big', 0.8]]),
  // "widget" is in half of all rows; "refunds" in 0.1 %, "refund" in 0.5 % (80k × 0.005 = 400 > 300).
  termShare: new Map([
    ['widget', 0.5],
    ['refunds', 0.001],
    ['refund', 0.005],
  ]),
};

describe('selectMatchTerms (common terms rank, rare terms select)', () => {
  it('drops words the tenant has in more than COMMON_TERM_MATCHES chunks, judging a word by its commonest form', () => {
    expect(COMMON_TERM_MATCHES).toBe(300);
    expect(selectMatchTerms([['widget', 'widgets'], ['flux', 'fluxes']], stats, 'big')).toEqual(['flux', 'fluxes']);
    expect(selectMatchTerms([['refund', 'refunds'], ['flux']], stats, 'big')).toEqual(['flux']);
  });

  it('when every word is common, the rarest one selects', () => {
    expect(selectMatchTerms([['widget', 'widgets'], ['refunds', 'refund']], stats, 'big')).toEqual(['refunds', 'refund']);
  });

  it('a tenant outside the common values, or no statistics: every word selects', () => {
    expect(selectMatchTerms([['widget'], ['flux']], stats, 'small')).toEqual(['widget', 'flux']);
    expect(selectMatchTerms([['widget'], ['flux']], NO_STATISTICS, 'big')).toEqual(['widget', 'flux']);
  });
});

describe('preferVectorIndex', () => {
  it('forces the index for tenants with enough rows and enough of the table, leaves small ones to the planner', () => {
    const table = (share: number, rows: number): TermStatistics => ({ rows, tenantShare: new Map([['t', share]]), termShare: new Map() });
    expect(preferVectorIndex(table(0.7, 140_000), 't')).toBe(true);
    expect(preferVectorIndex(table(0.75, 4_000), 't')).toBe(true);
    expect(preferVectorIndex(table(0.5, 1_000), 't')).toBe(false); // 500 rows: an exact scan is cheap
    expect(preferVectorIndex(table(0.005, 1_000_000), 't')).toBe(false); // 5,000 rows but 0.5 % of the table
    expect(preferVectorIndex(NO_STATISTICS, 't')).toBe(false);
  });
});
