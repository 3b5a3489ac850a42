/**
 * `[bench] <label> done/total` on stderr: redrawn in place on a terminal, a line per quarter in logs.
 */
export function progress(label, total) {
  const tty = process.stderr.isTTY;
  let done = 0;
  let lastDraw = 0;
  let lastQuarter = 0;
  const draw = (final) => {
    const text = `[bench] ${label} ${done}/${total}`;
    if (tty) process.stderr.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
    else process.stderr.write(`${text}\n`);
  };
  return {
    tick() {
      done++;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw > 100 || done === total) {
          lastDraw = now;
          draw(done === total);
        }
      } else {
        const quarter = Math.floor((done * 4) / total);
        if (quarter > lastQuarter) {
          lastQuarter = quarter;
          draw(true);
        }
      }
    },
  };
}
