import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import {
  ErrorCode,
  ZWidgetConfigQuery,
  ZWidgetSessionRequest,
  type TPublicWidgetConfig,
  type TWidgetSessionResponse,
} from '@babble-buddy/shared';
import { ApiKeysService, bearerToken, type VerifiedKey } from '../auth/api-keys.service';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/app-error';
import { parseWith } from '../common/validation';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { ConversationsService, sessionNotFound } from '../chat/conversations.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { allowOrigin } from '../common/cors';
import { WidgetConfigService } from './widget-config.service';

/** Config can change; a minute of caching spares page loads a round trip without making edits feel stuck. */
const CONFIG_CACHE = 'public, max-age=60';

/** Public (publishable key + allowed origin): the widget's config, and short-lived origin-bound sessions. */
@Controller('api/v1/widget')
export class WidgetController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly tokens: TokensService,
    private readonly conversations: ConversationsService,
    private readonly rateLimit: RateLimitService,
    private readonly widgetConfig: WidgetConfigService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * `?key=pk_…` rather than a header, so this is a CORS "simple" request: no preflight, and a page
   * whose origin is not allowed still reads the ORIGIN_NOT_ALLOWED refusal.
   */
  @Get('config')
  async widgetSettings(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Query() query: unknown): Promise<TPublicWidgetConfig> {
    const { key } = parseWith(ZWidgetConfigQuery, query, 'query');
    const verified = await this.keys.verify(key, 'publishable');
    const origin = this.checkOrigin(req, verified);
    const config = await this.widgetConfig.publicConfig(verified.tenant);
    res.setHeader('cache-control', CONFIG_CACHE);
    allowOrigin(res, origin);
    return config;
  }

  @Post('session')
  @HttpCode(201)
  async open(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: unknown): Promise<TWidgetSessionResponse> {
    const raw = bearerToken(req.headers.authorization);
    if (!raw) throw new AppError(ErrorCode.Unauthenticated, 'Send Authorization: Bearer pk_…');
    const input = parseWith(ZWidgetSessionRequest, body ?? {});
    const verified = await this.keys.verify(raw, 'publishable');
    const { key, tenant } = verified;
    const origin = this.checkOrigin(req, verified);
    // Opening sessions has its own budget, so page loads do not eat into the chat budget.
    await this.rateLimit.consume([
      { name: `sessions:key:${key.id}`, limit: key.rateLimitPerMinute ?? this.config.RATE_LIMIT_KEY_PER_MINUTE },
      ...(req.ip ? [{ name: `sessions:ip:${req.ip}`, limit: this.config.RATE_LIMIT_IP_PER_MINUTE }] : []),
    ]);

    let sessionId: string = randomUUID();
    if (input.sessionId) {
      const conversation = await this.conversations.find(tenant.id, input.sessionId);
      if (conversation) sessionId = conversation.sessionKey;
      else if (await this.conversations.existsElsewhere(tenant.id, input.sessionId)) throw sessionNotFound();
      // An id that was never used (no message sent yet) simply gets a fresh session.
    }
    const { token, expiresAt } = this.tokens.signWidget({ tenantId: tenant.id, keyId: key.id, sessionId, origin });
    allowOrigin(res, origin);
    return { token, sessionId, expiresAt: expiresAt.toISOString(), tenant: { id: tenant.id, name: tenant.name } };
  }

  /** Publishable keys work only from the origins their allow-list (plus the tenant's widget origins) names. */
  private checkOrigin(req: Request, { key }: VerifiedKey): string {
    const origin = req.headers.origin;
    if (!origin) throw new AppError(ErrorCode.OriginNotAllowed, 'Publishable keys work only from the web origins on their allow-list, and this request named none');
    if (!key.allowedOrigins.includes(origin)) throw new AppError(ErrorCode.OriginNotAllowed, `The origin ${origin} is not allowed for this key`);
    return origin;
  }
}
