import { progressBar } from './kb-progress';

describe('progressBar', () => {
  it('fills the bar in proportion and keeps the columns aligned', () => {
    expect(progressBar('guide.md', 0, 'queued')).toBe(`guide.md  ${'░'.repeat(24)}   0%  queued`);
    expect(progressBar('guide.md', 50, 'embedding')).toBe(`guide.md  ${'█'.repeat(12)}${'░'.repeat(12)}  50%  embedding`);
    expect(progressBar('a.pdf   ', 100, 'ready, 3 chunks')).toBe(`a.pdf     ${'█'.repeat(24)} 100%  ready, 3 chunks`);
  });
});
