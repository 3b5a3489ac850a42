import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';

export interface WidgetTokenClaims {
  tenantId: string;
  keyId: string;
  sessionId: string;
  origin: string | null;
}

interface WidgetJwt {
  typ: 'widget';
  tid: string;
  kid: string;
  sid: string;
  org: string | null;
}

interface AdminJwt {
  typ: 'admin';
  sub: string;
}

/** HS256 tokens: short-lived widget sessions and operator logins, told apart by `typ`. */
@Injectable()
export class TokensService {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  signWidget(claims: WidgetTokenClaims): { token: string; expiresAt: Date } {
    const ttl = this.config.WIDGET_SESSION_TTL_SECONDS;
    const payload: WidgetJwt = { typ: 'widget', tid: claims.tenantId, kid: claims.keyId, sid: claims.sessionId, org: claims.origin };
    return { token: jwt.sign(payload, this.config.JWT_SECRET, { algorithm: 'HS256', expiresIn: ttl, audience: 'bb-widget' }), expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  verifyWidget(token: string): WidgetTokenClaims {
    const payload = this.verify<WidgetJwt>(token, 'bb-widget', ErrorCode.InvalidSessionToken);
    if (payload.typ !== 'widget') throw new AppError(ErrorCode.InvalidSessionToken, 'Not a widget session token');
    return { tenantId: payload.tid, keyId: payload.kid, sessionId: payload.sid, origin: payload.org };
  }

  signAdmin(userId: string): { token: string; expiresAt: Date } {
    const ttl = this.config.ADMIN_TOKEN_TTL_SECONDS;
    const payload: AdminJwt = { typ: 'admin', sub: userId };
    // A fresh id per sign-in: two logins in the same second are still two sessions (logout ends one).
    return { token: jwt.sign(payload, this.config.JWT_SECRET, { algorithm: 'HS256', expiresIn: ttl, audience: 'bb-admin', jwtid: randomUUID() }), expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  verifyAdmin(token: string): string {
    return this.verifyAdminSession(token).userId;
  }

  /** The signed-in user and when the token runs out (logout keeps it refused until then). */
  verifyAdminSession(token: string): { userId: string; expiresAt: Date } {
    const payload = this.verify<AdminJwt & { exp: number }>(token, 'bb-admin', ErrorCode.Unauthenticated);
    if (payload.typ !== 'admin') throw new AppError(ErrorCode.Unauthenticated, 'Not an admin token');
    return { userId: payload.sub, expiresAt: new Date(payload.exp * 1000) };
  }

  private verify<T>(token: string, audience: string, code: ErrorCode): T {
    try {
      return jwt.verify(token, this.config.JWT_SECRET, { algorithms: ['HS256'], audience }) as T;
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError;
      throw new AppError(code, expired ? 'Token expired; sign in or start a new session' : 'Invalid token');
    }
  }
}
