import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { buildChatModel } from '../providers';
import type { ChatTurn, ProviderConfig } from '../types';
import { contentWords, words } from './search-terms';

/**
 * Words that point back at something said earlier ("how much does *it* cost?"). A question holding
 * one, opening like a continuation, or made only of vague words is a follow-up: searched alone, it
 * would find nothing useful.
 */
const ANAPHORA = new Set([
  'it', 'its', 'they', 'them', 'their', 'theirs', 'this', 'that', 'these', 'those', 'he', 'him', 'his',
  'she', 'her', 'hers', 'there', 'former', 'latter', 'same', 'such', 'one', 'ones',
]);
const VAGUE = new Set(['much', 'many', 'else', 'more', 'less', 'other', 'another', 'instead', 'too', 'either', 'again', 'ok', 'okay', 'really', 'sure', 'yes', 'no']);
const OPENERS = /^(?:and|but|also|so|then|or|what about|how about|what if|tell me more|more about|more on|any other|anything else|why not|same for|and if)\b/i;

/** Characters of earlier turns a rewritten query may carry. */
const MAX_CONTEXT_CHARS = 600;
/** Characters of the last answer taken into the query (its opening names what it talks about). */
const ANSWER_PREFIX_CHARS = 200;
/** User turns looked back through when the previous questions were follow-ups too. */
const MAX_CHAINED_QUESTIONS = 3;

export function isFollowUp(question: string): boolean {
  const all = words(question);
  if (all.length === 0) return false;
  if (OPENERS.test(question.trim())) return true;
  if (all.some((word) => ANAPHORA.has(word))) return true;
  return contentWords(question).filter((word) => !VAGUE.has(word)).length === 0;
}

export interface SearchQuery {
  /** What to search for. */
  text: string;
  /** Whether earlier turns were folded in (the question was a follow-up). */
  rewritten: boolean;
}

/** An answer's opening, without citation markers, cut at a word boundary. */
function answerPrefix(text: string): string {
  const clean = text.replace(/\[\d+(?:\s*[,-]\s*\d+)*\]/g, '').replace(/\s+/g, ' ').trim();
  if (clean.length <= ANSWER_PREFIX_CHARS) return clean;
  const cut = clean.slice(0, ANSWER_PREFIX_CHARS);
  const space = cut.lastIndexOf(' ');
  return space > ANSWER_PREFIX_CHARS / 2 ? cut.slice(0, space) : cut;
}

/**
 * The search query for a turn, without calling a model (nothing added to time-to-first-token): a
 * question that stands alone is searched as it is; a follow-up gets the conversation's recent subject
 * prepended — the previous question (and the ones before it while they were follow-ups too) and the
 * opening of the last answer. Hybrid search takes the mixture well: full-text ORs the words, and the
 * embedding of the combined text sits between the old subject and the new question.
 */
export function searchQueryFor(question: string, history: readonly ChatTurn[]): SearchQuery {
  if (!isFollowUp(question)) return { text: question, rewritten: false };
  const context: string[] = [];
  let lastAnswer: string | undefined;
  let questions = 0;
  for (let i = history.length - 1; i >= 0 && questions < MAX_CHAINED_QUESTIONS; i--) {
    const turn = history[i];
    if (!turn || turn.role === 'system') continue;
    if (turn.role === 'assistant') {
      if (lastAnswer === undefined && questions === 0) lastAnswer = answerPrefix(turn.content);
      continue;
    }
    context.unshift(turn.content.trim());
    questions++;
    if (!isFollowUp(turn.content)) break;
  }
  if (context.length === 0) return { text: question, rewritten: false };
  if (lastAnswer) context.push(lastAnswer);
  let prefix = context.join(' ');
  if (prefix.length > MAX_CONTEXT_CHARS) prefix = prefix.slice(prefix.length - MAX_CONTEXT_CHARS);
  return { text: `${prefix} ${question}`, rewritten: true };
}

const REWRITE_INSTRUCTIONS = [
  'You turn the last question of a conversation into a standalone search query for a knowledge base.',
  'Resolve pronouns and references using the conversation. Keep the question’s language.',
  'Reply with the query only: one line, no quotes, no explanation.',
].join(' ');

export interface ModelRewriteOptions {
  /** The longest the model may take; the heuristic query is used after that. */
  timeoutMs: number;
  /** Turns shown to the model, most recent last. Default 6. */
  maxTurns?: number;
}

/**
 * A follow-up rewritten by a model, bounded by `timeoutMs`. Only for follow-ups (`isFollowUp`): a
 * question that stands alone is returned as is with no model call. On timeout, failure or an empty
 * reply, falls back to `searchQueryFor`. Costs one short model call before the answer starts.
 */
export async function rewriteWithModel(
  config: ProviderConfig,
  question: string,
  history: readonly ChatTurn[],
  options: ModelRewriteOptions,
): Promise<SearchQuery & { byModel: boolean }> {
  const heuristic = searchQueryFor(question, history);
  if (!heuristic.rewritten) return { ...heuristic, byModel: false };
  const turns = history.filter((t) => t.role !== 'system').slice(-(options.maxTurns ?? 6));
  const transcript = turns.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content.replace(/\s+/g, ' ').slice(0, 500)}`).join('\n');
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const model = buildChatModel({ ...config, temperature: 0, maxTokens: 64 }, signal);
    const reply = await model.invoke(
      [new SystemMessage(REWRITE_INSTRUCTIONS), new HumanMessage(`${transcript}\nUser: ${question}\n\nStandalone search query:`)],
      { signal },
    );
    const text = (typeof reply.content === 'string' ? reply.content : reply.text).split('\n')[0]?.trim().replace(/^["'“]|["'”]$/g, '') ?? '';
    if (text.length < 2) return { ...heuristic, byModel: false };
    return { text: text.slice(0, 500), rewritten: true, byModel: true };
  } catch {
    return { ...heuristic, byModel: false };
  }
}
