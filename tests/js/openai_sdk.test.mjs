// The official OpenAI Node SDK, unchanged but for its base URL, against `triptyque serve`.
// Usage: node openai_sdk.test.mjs BASE_URL   (the server has the keys sk-test and
// sk-limited — 2 requests/minute — and the models story (chat) and bert (embeddings)).
// Prints one line per check; exits 1 if any failed.
import OpenAI from 'openai';
import Ajv from 'ajv';

const baseURL = process.argv[2];
if (!baseURL) {
  console.error('usage: node openai_sdk.test.mjs BASE_URL');
  process.exit(2);
}
const client = new OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 0 });
let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
async function expectError(cls, status, fn) {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof cls, `expected ${cls.name}, got ${e && e.constructor && e.constructor.name}: ${e}`);
    assert(e.status === status, `status ${e.status}, expected ${status}`);
    assert(typeof e.error === 'object' && typeof e.error.message === 'string', 'error body has a message');
    return e;
  }
  throw new Error(`expected ${cls.name}, the call succeeded`);
}

const messages = [{ role: 'user', content: 'Tell me a story about Lily.' }];

await check('models.list', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert(ids.includes('story') && ids.includes('bert'), `models: ${ids}`);
});

let plain = '';
await check('chat.completions.create', async () => {
  const r = await client.chat.completions.create({ model: 'story', messages, max_tokens: 16, temperature: 0 });
  assert(r.object === 'chat.completion', r.object);
  assert(r.choices[0].message.role === 'assistant', 'role');
  plain = r.choices[0].message.content;
  assert(typeof plain === 'string' && plain.length > 0, 'content');
  assert(r.usage.completion_tokens === 16, `usage ${JSON.stringify(r.usage)}`);
  assert(r.usage.total_tokens === r.usage.prompt_tokens + 16, 'total_tokens');
});

await check('chat.completions.create stream', async () => {
  const stream = await client.chat.completions.create({
    model: 'story', messages, max_tokens: 16, temperature: 0, stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    if (chunk.choices.length) {
      text += chunk.choices[0].delta.content ?? '';
      if (chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
    }
  }
  assert(text === plain, `streamed ${JSON.stringify(text)} != ${JSON.stringify(plain)}`);
  assert(finish === 'length', `finish ${finish}`);
  assert(usage && usage.completion_tokens === 16, `usage ${JSON.stringify(usage)}`);
});

await check('chat.completions.stream helper', async () => {
  const runner = client.beta.chat.completions.stream({ model: 'story', messages, max_tokens: 16, temperature: 0 });
  const final = await runner.finalChatCompletion();
  assert(final.choices[0].message.content === plain, 'final message equals the non-streamed one');
});

await check('json_schema response validated by ajv', async () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer', minimum: 0, maximum: 120 } },
    required: ['name', 'age'],
    additionalProperties: false,
  };
  const r = await client.chat.completions.create({
    model: 'story', messages, max_tokens: 64, seed: 1,
    response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
  });
  const value = JSON.parse(r.choices[0].message.content);
  const validate = new Ajv().compile(schema);
  assert(validate(value), `invalid: ${JSON.stringify(validate.errors)} for ${r.choices[0].message.content}`);
});

await check('embeddings (SDK default: base64)', async () => {
  const input = ['Où est ma commande ?', 'Retour produit sous 30 jours'];
  const b = await client.embeddings.create({ model: 'bert', input });
  const f = await client.embeddings.create({ model: 'bert', input, encoding_format: 'float' });
  assert(b.data.length === 2 && f.data.length === 2, 'two vectors');
  for (let i = 0; i < 2; i++) {
    const x = b.data[i].embedding;
    const y = f.data[i].embedding;
    assert(x.length === 256 && y.length === 256, `dims ${x.length} ${y.length}`);
    let norm = 0;
    for (let k = 0; k < 256; k++) {
      assert(Math.abs(x[k] - y[k]) < 1e-6, `base64 and float differ at ${k}`);
      norm += x[k] * x[k];
    }
    assert(Math.abs(norm - 1) < 1e-3, `not L2-normalised: ${norm}`);
  }
  assert(b.usage.prompt_tokens > 0, 'usage');
});

await check('401 AuthenticationError', async () => {
  const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 });
  await expectError(OpenAI.AuthenticationError, 401, () =>
    bad.chat.completions.create({ model: 'story', messages, max_tokens: 2 }));
});

await check('400 BadRequestError names the field', async () => {
  const e = await expectError(OpenAI.BadRequestError, 400, () =>
    client.chat.completions.create({ model: 'story', messages, max_tokens: 2, temperature: 'hot' }));
  assert(e.param === 'temperature', `param ${e.param}`);
});

await check('404 NotFoundError for an unknown model', async () => {
  const e = await expectError(OpenAI.NotFoundError, 404, () =>
    client.chat.completions.create({ model: 'gpt-17', messages, max_tokens: 2 }));
  assert(e.code === 'model_not_found', `code ${e.code}`);
});

await check('429 RateLimitError with retry-after', async () => {
  const limited = new OpenAI({ apiKey: 'sk-limited', baseURL, maxRetries: 0 });
  const call = () => limited.chat.completions.create({ model: 'story', messages, max_tokens: 1 });
  await call();
  await call();
  const e = await expectError(OpenAI.RateLimitError, 429, call);
  assert(Number(e.headers['retry-after']) >= 1, `retry-after ${e.headers['retry-after']}`);
});

console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
