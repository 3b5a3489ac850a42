/** Round axis ticks from 0 to just above `max`: 0, 250, 500, 750, 1000 rather than 0, 233, 466… */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let value = 0; value < max + step * 0.999; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/** Which of `count` labels to draw so that they do not overlap at `width` pixels. */
export function labelStride(count: number, width: number, labelWidth = 56): number {
  if (count <= 1) return 1;
  const fits = Math.max(1, Math.floor(width / labelWidth));
  return Math.max(1, Math.ceil(count / fits));
}
