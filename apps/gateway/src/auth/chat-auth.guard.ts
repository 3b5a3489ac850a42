import './principal';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { allowOrigin } from '../common/cors';
import { bearerToken } from './api-keys.service';
import { ChatAuthService } from './chat-auth.service';

/** Chat endpoints: a secret key (servers) or a widget session token (browsers, origin-bound). */
@Injectable()
export class ChatAuthGuard implements CanActivate {
  constructor(private readonly chatAuth: ChatAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const principal = await this.chatAuth.authenticate(bearerToken(request.headers.authorization), request.headers.origin);
    request.chatPrincipal = principal;
    // A widget session is bound to its origin (checked above): that page may read the answers.
    if (principal.kind === 'widget') allowOrigin(context.switchToHttp().getResponse<Response>(), request.headers.origin);
    return true;
  }
}
