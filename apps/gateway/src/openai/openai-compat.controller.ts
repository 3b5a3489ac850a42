import { Body, Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ChatTurn } from '@babble-buddy/ai';
import { CHAT_MESSAGE_MAX_CHARS, ErrorCode, ZOpenAIChatRequest, type TCitation, type TOpenAIMessage } from '@babble-buddy/shared';
import { ChatAuthGuard } from '../auth/chat-auth.guard';
import { AppError } from '../common/app-error';
import { parseWith } from '../common/validation';
import { ChatService, type TurnOptions } from '../chat/chat.service';
import { callerOf } from '../chat/chat.controller';
import { TurnsService } from '../chat/turns.service';
import { openSse } from '../chat/sse';

/**
 * OpenAI-compatible Chat Completions (secret key): any OpenAI SDK can use a tenant's assistant.
 * The caller's messages are the history; the tenant's agent prompt comes first. With `user`, turns
 * are grouped into one stored conversation per end user.
 */
@Controller('v1')
@UseGuards(ChatAuthGuard)
export class OpenAICompatController {
  constructor(
    private readonly chat: ChatService,
    private readonly turns: TurnsService,
  ) {}

  @Post('chat/completions')
  async completions(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const caller = callerOf(req);
    if (caller.principal.kind !== 'secret') throw new AppError(ErrorCode.WrongKeyKind, 'The OpenAI-compatible API needs a secret key');
    const request = parseWith(ZOpenAIChatRequest, body);
    const { history, extraSystem, question } = splitMessages(request.messages);
    const options: TurnOptions = {
      history,
      ...(extraSystem ? { extraSystem } : {}),
      ...(request.temperature != null ? { temperature: request.temperature } : {}),
      ...((request.max_completion_tokens ?? request.max_tokens) != null ? { maxTokens: (request.max_completion_tokens ?? request.max_tokens)! } : {}),
    };
    const chatRequest = { message: question, ...(request.user ? { sessionId: `openai:${caller.principal.tenantId}:${request.user}` } : {}) };
    const created = Math.floor(Date.now() / 1000);

    if (!request.stream) {
      const answer = await this.chat.complete(caller, chatRequest, options);
      res.status(200).json({
        id: `chatcmpl-${answer.messageId}`,
        object: 'chat.completion',
        created,
        model: answer.model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer.response, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: usageOf(answer.usage),
        // Extensions (ignored by OpenAI SDKs): the knowledge base's citations, and whether no model answered.
        citations: answer.citations,
        ...(answer.knowledgeOnly ? { knowledge_only: true } : {}),
      });
      return;
    }

    const started = await this.chat.start(caller, chatRequest, options);
    const id = `chatcmpl-${started.messageId}`;
    const { signal, close } = openSse(req, res);
    let model = request.model;
    const citations: TCitation[] = [];
    const frame = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`);
    frame({ role: 'assistant', content: '' }, null);
    try {
      await this.turns.follow({ tenantId: caller.principal.tenantId }, started.messageId, 0, (event) => {
        if (res.writableEnded) return;
        if (event.type === 'chunk') frame({ content: event.text }, null);
        else if (event.type === 'citation') citations.push(event.citation);
        else if (event.type === 'done') {
          model = event.model;
          // The final chunk carries the extensions: every citation of the answer, and the knowledge-only flag.
          frame({}, 'stop', { citations, ...(event.knowledgeOnly ? { knowledge_only: true } : {}) });
          if (request.stream_options?.include_usage) {
            res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(event.usage) })}\n\n`);
          }
          res.write('data: [DONE]\n\n');
          close();
        } else if (event.type === 'error') {
          res.write(`data: ${JSON.stringify({ error: { message: event.message, type: 'server_error', code: event.code, param: null } })}\n\n`);
          close();
        }
      }, signal);
    } finally {
      close();
    }
  }
}

function textOf(message: TOpenAIMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.content)) return message.content.map((part) => part.text ?? '').join('');
  return '';
}

/** The last message is the question; earlier user/assistant turns are history; system/developer text joins the prompt. */
function splitMessages(messages: TOpenAIMessage[]): { history: ChatTurn[]; extraSystem: string; question: string } {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user') throw new AppError(ErrorCode.ValidationFailed, 'The last message must have role "user"');
  const question = textOf(last).trim();
  if (!question) throw new AppError(ErrorCode.ValidationFailed, 'The last user message is empty');
  if (question.length > CHAT_MESSAGE_MAX_CHARS) throw new AppError(ErrorCode.ValidationFailed, `The last user message is longer than ${CHAT_MESSAGE_MAX_CHARS} characters`);
  const system: string[] = [];
  const history: ChatTurn[] = [];
  for (const message of messages.slice(0, -1)) {
    const text = textOf(message);
    if (message.role === 'system' || message.role === 'developer') system.push(text);
    else if (message.role === 'user' || message.role === 'assistant') history.push({ role: message.role, content: text });
  }
  return { history, extraSystem: system.join('\n\n'), question };
}

function usageOf(usage: { promptTokens: number; completionTokens: number }) {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
}
