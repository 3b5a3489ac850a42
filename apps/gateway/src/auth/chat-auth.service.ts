import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { ApiKeysService } from './api-keys.service';
import type { ChatPrincipal } from './principal';
import { TokensService } from './tokens.service';

@Injectable()
export class ChatAuthService {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly tokens: TokensService,
  ) {}

  async authenticate(token: string | null, origin: string | undefined): Promise<ChatPrincipal> {
    if (!token) throw new AppError(ErrorCode.Unauthenticated, 'Send Authorization: Bearer <secret key or widget session token>');
    if (token.startsWith('sk_')) {
      if (origin) {
        throw new AppError(ErrorCode.WrongKeyKind, 'Secret keys are for servers and must not be used from a browser; use a publishable key');
      }
      const { key } = await this.keys.verify(token, 'secret');
      return { kind: 'secret', tenantId: key.tenantId, keyId: key.id, rateLimitPerMinute: key.rateLimitPerMinute };
    }
    if (token.startsWith('pk_')) {
      throw new AppError(ErrorCode.WrongKeyKind, 'Publishable keys open a widget session first: POST /api/v1/widget/session');
    }
    const claims = this.tokens.verifyWidget(token);
    if (claims.origin && origin && claims.origin !== origin) {
      throw new AppError(ErrorCode.OriginNotAllowed, 'This session belongs to another origin');
    }
    // The key may have been revoked, or the origin taken off its list, since the session began.
    const { key } = await this.keys.verifyById(claims.keyId, claims.tenantId);
    if (claims.origin && !key.allowedOrigins.includes(claims.origin)) {
      throw new AppError(ErrorCode.OriginNotAllowed, `The origin ${claims.origin} is no longer allowed for this key`);
    }
    return { kind: 'widget', tenantId: claims.tenantId, keyId: claims.keyId, sessionId: claims.sessionId, origin: claims.origin, rateLimitPerMinute: key.rateLimitPerMinute };
  }
}
