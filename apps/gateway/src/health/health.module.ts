import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { LlmHealthService } from './llm-health.service';

@Module({ controllers: [HealthController], providers: [LlmHealthService], exports: [LlmHealthService] })
export class HealthModule {}
