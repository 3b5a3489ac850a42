import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { PlaygroundController } from './playground.controller';
import { PlaygroundService } from './playground.service';

/** The admin playground: operators chat as a visitor through the real chat pipeline, with its debug view. */
@Module({
  imports: [ChatModule],
  controllers: [PlaygroundController],
  providers: [PlaygroundService],
})
export class PlaygroundModule {}
