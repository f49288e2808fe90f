// Mock provider for the benchmark: OpenAI chat completions (JSON, or SSE with ~40 chunks) and
// Anthropic Messages streaming (`event:` + `data:` framing, ~40 text deltas), each event written
// on its own (a real provider's events arrive separately). Like a model, it repeats the Veil
// tokens it was sent, so the gateway has tokens to rehydrate.
import { createServer } from 'node:http';
import { reportReady } from './ipc.js';

const TOKEN = /<<[A-Z][A-Z0-9_]*_\d+>>/g;
const WORDS = 'Thanks for the details, I have updated the record and will follow up shortly with a summary'.split(' ');

function replyPieces(body) {
  const tokens = [...new Set(body.match(TOKEN) ?? [])];
  const pieces = [];
  for (let index = 0; index < 40; index++) {
    const token = index % 6 === 3 ? tokens[(index / 6) | 0] : undefined;
    pieces.push(token === undefined ? `${WORDS[index % WORDS.length]} ` : `${token} `);
  }
  return pieces;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const stream = body.includes('"stream":true');
    const pieces = replyPieces(body);
    if (req.url.startsWith('/v1/messages')) {
      anthropicStream(res, pieces);
      return;
    }
    const base = { id: 'chatcmpl-bench', created: 1, model: 'mock' };
    if (!stream) {
      const payload = JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 500, completion_tokens: 40, total_tokens: 540 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.socket.setNoDelay(true);
    const event = (choice) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [choice] })}\n\n`;
    let index = 0;
    const next = () => {
      if (res.destroyed) return;
      if (index < pieces.length) {
        res.write(event({ index: 0, delta: { content: pieces[index++] }, finish_reason: null }));
        setImmediate(next);
        return;
      }
      res.write(event({ index: 0, delta: {}, finish_reason: 'stop' }));
      res.end('data: [DONE]\n\n');
    };
    next();
  });
});
/** Anthropic's streaming shape: message_start, a text block of deltas, message_delta, message_stop. */
function anthropicStream(res, pieces) {
  const events = [];
  const emit = (type, payload) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`);
  emit('message_start', {
    message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'mock', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 500, output_tokens: 1 } },
  });
  emit('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  emit('ping', {});
  for (const piece of pieces) emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  emit('content_block_stop', { index: 0 });
  emit('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 40 } });
  emit('message_stop', {});
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.socket.setNoDelay(true);
  let index = 0;
  const next = () => {
    if (res.destroyed) return;
    if (index < events.length - 1) {
      res.write(events[index++]);
      setImmediate(next);
      return;
    }
    res.end(events[index]);
  };
  next();
}

server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => reportReady(server.address().port));
