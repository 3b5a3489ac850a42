import { Body, Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode, ZPlaygroundChatRequest, ZTenantParams } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { AppError } from '../common/app-error';
import { parseWith } from '../common/validation';
import { openSse, writeSseEvent, writeSseFrame } from '../chat/sse';
import { isTerminal } from '../chat/turn-stream';
import { TurnsService } from '../chat/turns.service';
import { PlaygroundDebug } from './playground-debug';
import { PlaygroundService } from './playground.service';

@Controller('api/v1/admin/tenants/:tenantId/playground')
@UseGuards(AdminAuthGuard)
export class PlaygroundController {
  constructor(
    private readonly playground: PlaygroundService,
    private readonly turns: TurnsService,
  ) {}

  /**
   * One visitor turn over SSE, with debug events. Agents and up: it stores a conversation and spends
   * the tenant's tokens, which viewers (read-only) may not.
   */
  @Post('chat')
  @MinRole('agent')
  async chat(@Req() req: Request, @Res() res: Response, @Param() params: unknown, @Body() body: unknown): Promise<void> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    const request = parseWith(ZPlaygroundChatRequest, body);
    const userId = req.adminPrincipal?.userId;
    if (!userId) throw new AppError(ErrorCode.Unauthenticated, 'Sign in first: POST /api/v1/admin/auth/login');
    const debug = new PlaygroundDebug();
    // Everything that can be refused (agent, session, rate limit) is refused before the stream opens, as plain JSON.
    const started = await this.playground.start({ tenantId, userId, ip: req.ip }, request, debug);
    const { signal, close } = openSse(req, res);
    try {
      // The turn was just opened in this process: following it replays its `meta` at once, then
      // the debug events held so far follow it.
      const following = this.turns.follow({ tenantId }, started.messageId, -1, (event) => {
        if (!res.writableEnded) writeSseEvent(res, event);
        if (isTerminal(event)) close();
      }, signal);
      // Debug events have no `id:`: they are not part of the answer's resumable sequence.
      debug.attach(started.messageId, (event) => {
        if (!res.writableEnded) writeSseFrame(res, event);
      });
      await following;
    } finally {
      close();
    }
  }
}
