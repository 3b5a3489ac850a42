import { COMMON_TERM_MATCHES, NO_STATISTICS, selectMatchTerms, type TermStatistics } from './term-statistics';

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
