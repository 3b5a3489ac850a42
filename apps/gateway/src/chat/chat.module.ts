import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { OpenAICompatController } from '../openai/openai-compat.controller';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { ChatController } from './chat.controller';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ConversationsService } from './conversations.service';
import { ProvidersService } from './providers.service';
import { TurnsService } from './turns.service';

@Module({
  imports: [HealthModule, RetrievalModule],
  controllers: [ChatController, OpenAICompatController],
  providers: [ChatService, ConversationsService, ProvidersService, TurnsService, RateLimitService, ChatGateway],
  exports: [ChatService, ConversationsService, TurnsService, RateLimitService],
})
export class ChatModule {}
