import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Logger } from 'pino';
import { LOGGER } from '../infra/tokens';

export interface WidgetAsset {
  /** identity, and the precompressed variants the build wrote next to it */
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  etag: string;
  contentType: string;
}

const TYPES: Record<string, string> = { '.js': 'application/javascript; charset=utf-8', '.json': 'application/json; charset=utf-8' };

/** Where `pnpm build` puts the files the gateway serves (@babble-buddy/widget's dist/cdn). */
export function widgetCdnDir(): string | null {
  try {
    return join(dirname(require.resolve('@babble-buddy/widget/package.json')), 'dist', 'cdn');
  } catch {
    return null;
  }
}

/**
 * The built widget, read once at boot into memory (a few files of a few KiB): `widget.js` and the
 * content-hashed files under `widget/` it loads, each with its precompressed gzip and brotli twins.
 */
@Injectable()
export class WidgetAssetsService {
  private readonly assets = new Map<string, WidgetAsset>();

  constructor(@Inject(LOGGER) logger: Logger) {
    const dir = widgetCdnDir();
    if (!dir || !existsSync(join(dir, 'widget.js'))) {
      logger.warn({ dir }, 'the widget is not built: GET /widget.js answers 404 (run pnpm build)');
      return;
    }
    for (const file of walk(dir)) {
      const ext = /\.[a-z]+$/.exec(file)?.[0] ?? '';
      const type = TYPES[ext];
      if (!type) continue;
      const body = readFileSync(file);
      const name = relative(dir, file).split(sep).join('/');
      this.assets.set(name, {
        body,
        ...(existsSync(`${file}.gz`) ? { gzip: readFileSync(`${file}.gz`) } : {}),
        ...(existsSync(`${file}.br`) ? { br: readFileSync(`${file}.br`) } : {}),
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        contentType: type,
      });
    }
  }

  /** `widget.js` or `widget/<hashed name>`; undefined when there is no such file. */
  get(name: string): WidgetAsset | undefined {
    return this.assets.get(name);
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
