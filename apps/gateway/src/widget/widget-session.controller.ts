import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { ErrorCode, ZWidgetSessionRequest, type TWidgetSessionResponse } from '@babble-buddy/shared';
import { ApiKeysService, bearerToken } from '../auth/api-keys.service';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/app-error';
import { parseWith } from '../common/validation';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { ConversationsService, sessionNotFound } from '../chat/conversations.service';
import { RateLimitService } from '../rate-limit/rate-limit.service';

/** Public (publishable key + allowed origin): opens a short-lived, origin-bound widget session. */
@Controller('api/v1/widget')
export class WidgetSessionController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly tokens: TokensService,
    private readonly conversations: ConversationsService,
    private readonly rateLimit: RateLimitService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('session')
  @HttpCode(201)
  async open(@Req() req: Request, @Body() body: unknown): Promise<TWidgetSessionResponse> {
    const raw = bearerToken(req.headers.authorization);
    if (!raw) throw new AppError(ErrorCode.Unauthenticated, 'Send Authorization: Bearer pk_…');
    const input = parseWith(ZWidgetSessionRequest, body ?? {});
    const { key, tenant } = await this.keys.verify(raw, 'publishable');
    const origin = req.headers.origin;
    if (!origin) throw new AppError(ErrorCode.OriginNotAllowed, 'Publishable keys work only from the web origins on their allow-list, and this request named none');
    if (!key.allowedOrigins.includes(origin)) throw new AppError(ErrorCode.OriginNotAllowed, `The origin ${origin} is not allowed for this key`);
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
    return { token, sessionId, expiresAt: expiresAt.toISOString(), tenant: { id: tenant.id, name: tenant.name } };
  }
}
