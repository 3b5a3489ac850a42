import './principal';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken } from './api-keys.service';
import { ChatAuthService } from './chat-auth.service';

/** Chat endpoints: a secret key (servers) or a widget session token (browsers, origin-bound). */
@Injectable()
export class ChatAuthGuard implements CanActivate {
  constructor(private readonly chatAuth: ChatAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    request.chatPrincipal = await this.chatAuth.authenticate(bearerToken(request.headers.authorization), request.headers.origin);
    return true;
  }
}
