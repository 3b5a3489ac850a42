import pino, { type Logger } from 'pino';

/** JSON logs; document text, keys and secrets never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'worker' },
    redact: { paths: ['*.apiKey', '*.password', '*.token', '*.secret', '*.content', '*.text'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
