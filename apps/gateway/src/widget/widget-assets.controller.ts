import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { WidgetAssetsService, type WidgetAsset } from './widget-assets.service';

/** The loader changes in place (short cache); the files it loads are content-hashed (cached for good). */
const LOADER_CACHE = 'public, max-age=300, stale-while-revalidate=3600';
const HASHED_CACHE = 'public, max-age=31536000, immutable';
const HASHED_NAME = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{6,}\.js$/;

/** Public: the widget's script files, for any page (that is what a script tag is). */
@Controller()
export class WidgetAssetsController {
  constructor(private readonly assets: WidgetAssetsService) {}

  @Get('widget.js')
  loader(@Req() req: Request, @Res() res: Response): void {
    send(req, res, this.assets.get('widget.js'), LOADER_CACHE);
  }

  @Get('widget/:file')
  hashed(@Req() req: Request, @Res() res: Response, @Param('file') file: string): void {
    send(req, res, HASHED_NAME.test(file) ? this.assets.get(`widget/${file}`) : undefined, HASHED_CACHE);
  }
}

function send(req: Request, res: Response, asset: WidgetAsset | undefined, cacheControl: string): void {
  if (!asset) throw new AppError(ErrorCode.NotFound, 'No such widget file (is the widget built? run pnpm build)');
  res.setHeader('content-type', asset.contentType);
  res.setHeader('cache-control', cacheControl);
  res.setHeader('etag', asset.etag);
  res.setHeader('vary', 'Accept-Encoding');
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  res.setHeader('x-content-type-options', 'nosniff');
  if (req.headers['if-none-match'] === asset.etag) {
    res.status(304).end();
    return;
  }
  const accepted = String(req.headers['accept-encoding'] ?? '');
  const [encoding, body] =
    asset.br && /\bbr\b/.test(accepted) ? ['br', asset.br] : asset.gzip && /\bgzip\b/.test(accepted) ? ['gzip', asset.gzip] : [null, asset.body];
  if (encoding) res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}
