import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode, ZChatRequest, ZHistoryQuery, ZSessionId, type TChatResponse, type THistoryResponse } from '@babble-buddy/shared';
import { z } from 'zod';
import { ChatAuthGuard } from '../auth/chat-auth.guard';
import type { ChatPrincipal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { parseWith } from '../common/validation';
import { isTerminal } from './turn-stream';
import { ChatService, type TurnCaller } from './chat.service';
import { ConversationsService, sessionNotFound } from './conversations.service';
import { openSse, writeSseEvent } from './sse';
import { TurnsService } from './turns.service';

const ZResumeQuery = z.strictObject({ afterSeq: z.coerce.number().int().min(0).default(0) });

/** Chat over REST and SSE for servers (secret key) and widgets (session token). */
@Controller('api/v1')
@UseGuards(ChatAuthGuard)
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly turns: TurnsService,
    private readonly conversations: ConversationsService,
  ) {}

  @Post('chat')
  @HttpCode(200)
  async send(@Req() req: Request, @Body() body: unknown): Promise<TChatResponse> {
    return this.chat.complete(callerOf(req), parseWith(ZChatRequest, body));
  }

  @Post('chat/stream')
  async stream(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const caller = callerOf(req);
    // Everything that can be refused is refused before the stream opens, as a plain JSON error.
    const started = await this.chat.start(caller, parseWith(ZChatRequest, body));
    await this.relay(req, res, caller.principal, started.messageId, -1);
  }

  /** Continues an answer after the last sequence number the client saw (SSE). */
  @Get('messages/:messageId/stream')
  async resume(@Req() req: Request, @Res() res: Response, @Param('messageId') messageId: string, @Query() query: unknown): Promise<void> {
    const principal = principalOf(req);
    const id = parseWith(z.uuid(), messageId, 'message id');
    const { afterSeq } = parseWith(ZResumeQuery, query, 'query');
    await this.relay(req, res, principal, id, afterSeq);
  }

  @Get('sessions/:sessionId/history')
  async history(@Req() req: Request, @Param('sessionId') sessionId: string, @Query() query: unknown): Promise<THistoryResponse> {
    const principal = principalOf(req);
    const id = parseWith(ZSessionId, sessionId, 'session id');
    const { limit } = parseWith(ZHistoryQuery, query, 'query');
    if (principal.kind === 'widget' && principal.sessionId !== id) throw sessionNotFound();
    if (principal.kind === 'secret' && !(await this.conversations.find(principal.tenantId, id))) throw sessionNotFound();
    return this.conversations.history(principal.tenantId, id, limit);
  }

  private async relay(req: Request, res: Response, principal: ChatPrincipal, messageId: string, afterSeq: number): Promise<void> {
    const reader = { tenantId: principal.tenantId, ...(principal.kind === 'widget' ? { sessionId: principal.sessionId } : {}) };
    // Check access before committing to a 200 event stream.
    await this.turns.assertReadable(reader, messageId);
    const { signal, close } = openSse(req, res);
    try {
      await this.turns.follow(reader, messageId, afterSeq, (event) => {
        if (!res.writableEnded) writeSseEvent(res, event);
        if (isTerminal(event)) close();
      }, signal);
    } finally {
      close();
    }
  }
}

export function principalOf(req: Request): ChatPrincipal {
  if (!req.chatPrincipal) throw new AppError(ErrorCode.Unauthenticated, 'Not authenticated');
  return req.chatPrincipal;
}

export function callerOf(req: Request): TurnCaller {
  return { principal: principalOf(req), ip: req.ip, origin: req.headers.origin };
}
