import { labelStride, niceTicks } from './scale';

describe('chart scales', () => {
  it('picks round ticks that cover the maximum', () => {
    expect(niceTicks(1000)).toEqual([0, 250, 500, 750, 1000]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0.0042)).toEqual([0, 0.002, 0.004, 0.006]);
    expect(niceTicks(0)).toEqual([0, 1]);
    for (const max of [3, 17, 123, 98765]) expect(niceTicks(max).at(-1)).toBeGreaterThanOrEqual(max);
  });

  it('thins day labels to fit', () => {
    expect(labelStride(30, 900)).toBe(2);
    expect(labelStride(7, 900)).toBe(1);
    expect(labelStride(90, 300)).toBe(18);
  });
});
