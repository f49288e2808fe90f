// The baseline: a bare node:http + undici pass-through proxy with no masking, the least any
// gateway has to do. Veil's numbers are read against this one.
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { reportReady } from './ipc.js';

const upstream = new Pool(process.argv[2], { connections: 256, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

const server = createServer(async (req, res) => {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP.has(name)) headers[name] = value;
  try {
    const answer = await upstream.request({ method: req.method, path: req.url, headers, body: req });
    const out = {};
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP.has(name)) out[name] = value;
    res.writeHead(answer.statusCode, out);
    for await (const chunk of answer.body) res.write(chunk);
    res.end();
  } catch {
    res.writeHead(502).end();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => reportReady(server.address().port));
