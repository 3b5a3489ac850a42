/** What a fake reply needs to know about the request: the last user turn and a rough prompt size. */
export interface Conversation {
  lastUserText: string;
  promptWords: number;
}

/** Summarises Ollama or OpenAI chat messages (`content` as a string or as an array of text parts). */
export function summarizeMessages(messages: unknown): Conversation {
  let lastUserText = '';
  let promptWords = 0;
  if (!Array.isArray(messages)) return { lastUserText, promptWords };
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const text = contentText(message.content);
    promptWords += countWords(text);
    if (message.role === 'user') lastUserText = text;
  }
  return { lastUserText, promptWords };
}

export function summarizePrompt(prompt: string): Conversation {
  return { lastUserText: prompt, promptWords: countWords(prompt) };
}

export function countWords(text: string): number {
  let words = 0;
  for (const token of text.split(/\s+/)) if (token) words++;
  return words;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}
