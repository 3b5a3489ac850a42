import { Global, Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminSessionsService } from './admin-sessions.service';
import { ApiKeysService } from './api-keys.service';
import { ChatAuthGuard } from './chat-auth.guard';
import { ChatAuthService } from './chat-auth.service';
import { TokensService } from './tokens.service';

@Global()
@Module({
  providers: [ApiKeysService, TokensService, ChatAuthService, ChatAuthGuard, AdminAuthGuard, AdminSessionsService],
  exports: [ApiKeysService, TokensService, ChatAuthService, ChatAuthGuard, AdminAuthGuard, AdminSessionsService],
})
export class AuthModule {}
