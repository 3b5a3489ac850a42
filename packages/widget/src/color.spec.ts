import { isHexColor, textColorOn } from './color';

describe('colours', () => {
  it('only #rgb and #rrggbb are accepted into style sheets', () => {
    expect(['#fff', '#4f46e5', '#ABCDEF'].every(isHexColor)).toBe(true);
    expect(['red', '#ffff', 'url(x)', '#4f46e5;}', 'var(--x)', 42].some(isHexColor)).toBe(false);
  });

  it('text on the brand colour is white on dark colours and near-black on light ones', () => {
    expect(textColorOn('#4f46e5')).toBe('#ffffff');
    expect(textColorOn('#0a7c4a')).toBe('#ffffff');
    expect(textColorOn('#ffd60a')).toBe('#111827');
    expect(textColorOn('#fff')).toBe('#111827');
  });
});
