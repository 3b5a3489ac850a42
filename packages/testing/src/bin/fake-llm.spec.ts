import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

// The CLI is exercised as shipped, from the build output (turbo runs `build` before `test`).
const CLI = join(__dirname, '..', '..', 'dist', 'bin', 'fake-llm.js');

function waitForUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      output += data;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`fake-llm exited early with ${code}: ${output}`)));
  });
}

describe('fake-llm CLI', () => {
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm --filter @babble-buddy/testing build\` first`);
  });
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves the scripted text on the given port until SIGTERM', async () => {
    child = spawn(process.execPath, [CLI, '--port', '0', '--text', 'Benchmark reply', '--token-delay-ms', '1']);
    const url = await waitForUrl(child);

    expect(await (await fetch(`${url}/api/version`)).json()).toEqual({ version: '0.6.0' });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(await response.json()).toMatchObject({ choices: [{ message: { content: 'Benchmark reply' } }] });

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('echoes with --echo', async () => {
    child = spawn(process.execPath, [CLI, '--port', '0', '--echo']);
    const url = await waitForUrl(child);
    const response = await fetch(`${url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', stream: false, messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(await response.json()).toMatchObject({ message: { content: 'You said: ping' } });
  });

  it('exits with an error for a bad flag value', async () => {
    child = spawn(process.execPath, [CLI, '--port', 'nope']);
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
  });
});
