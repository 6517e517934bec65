#!/usr/bin/env node
// A small OpenAI-compatible model server for the loopback test fleet.
// No npm packages; listens on 127.0.0.1 only.
//
//   node model_server.js [--port N] [--port-file FILE] [--delay MS]
//                        [--slow-ms MS] [--trickle-ms MS] [--log FILE]
//
// Routes:
//   GET  /v1/models             the one model list (mock-1, mock-2)
//   POST /v1/chat/completions   streaming (SSE, ends with a chunk carrying
//                               `usage`, then `data: [DONE]`) or not
//   GET  /health, GET /stats    liveness and request counters (for tests)
//
// Triggers in the last user message (case-sensitive words):
//   SLOW  the reply trickles one chunk every --trickle-ms and only finishes
//         after --slow-ms (default one hour): the session stays "busy".
//   FAIL  HTTP 400 with an OpenAI error body (a session with an error).
// Title requests (OpenCode asks the small model for a title with a system
// prompt about titles) get a short title made from the user's words.
//
// Environment: MOCK_DELAY_MS (delay before every reply), MOCK_SLOW_MS,
// MOCK_TRICKLE_MS, MOCK_PORT, MOCK_PORT_FILE, MOCK_LOG.
'use strict';
const http = require('http');
const fs = require('fs');

function argval(name, envName, dflt) {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (envName && process.env[envName] !== undefined && process.env[envName] !== '') return process.env[envName];
  return dflt;
}
const PORT = parseInt(argval('--port', 'MOCK_PORT', '0'), 10);
const PORT_FILE = argval('--port-file', 'MOCK_PORT_FILE', '');
const DELAY_MS = parseInt(argval('--delay', 'MOCK_DELAY_MS', '0'), 10);
const SLOW_MS = parseInt(argval('--slow-ms', 'MOCK_SLOW_MS', '3600000'), 10);
const TRICKLE_MS = parseInt(argval('--trickle-ms', 'MOCK_TRICKLE_MS', '5000'), 10);
const LOG = argval('--log', 'MOCK_LOG', '');

const MODELS = ['mock-1', 'mock-2'];
const stats = { requests: 0, chat: 0, titles: 0, slow: 0, slow_active: 0, failed: 0 };
let replyNo = 0;

function log(msg) {
  if (!LOG) return;
  try { fs.appendFileSync(LOG, new Date().toISOString() + ' ' + msg + '\n'); } catch (e) { /* ignore */ }
}

function contentText(c) {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => (p && typeof p.text === 'string' ? p.text : '')).join(' ');
  return '';
}

function isTitleRequest(msgs) {
  for (const m of msgs) {
    if (m.role !== 'system') continue;
    const t = contentText(m.content).toLowerCase();
    if (t.includes('title generator') || t.includes('generate a title') ||
        (t.includes('title') && t.includes('thread'))) return true;
  }
  return false;
}

function lastUserText(msgs) {
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i].role === 'user') return contentText(msgs[i].content);
  }
  return '';
}

function makeTitle(text) {
  // Title requests wrap the user's words in some boilerplate; keep a few
  // plain words from the end (where the user's text is).
  const words = text.replace(/<[^>]*>/g, ' ').split(/\s+/).filter((w) => /^[\p{L}\p{N}_-]+$/u.test(w));
  const pick = words.slice(-4).join(' ');
  return pick ? 'Mock: ' + pick : 'Mock title';
}

function usageFor(body, text) {
  const prompt = Math.max(10, Math.round(JSON.stringify(body.messages || []).length / 4));
  const completion = 30 + Math.round(text.length / 4);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: Math.min(200, Math.floor(prompt / 2)) },
    completion_tokens_details: { reasoning_tokens: 7 },
  };
}

function sendJSON(res, code, obj) {
  const s = JSON.stringify(obj);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

function chunk(id, model, delta, finish, usage) {
  const o = {
    id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model,
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish || null }],
  };
  if (usage) o.usage = usage;
  return 'data: ' + JSON.stringify(o) + '\n\n';
}

function handleChat(req, res, body) {
  stats.chat++;
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  const model = body.model || MODELS[0];
  const user = lastUserText(msgs);
  const title = isTitleRequest(msgs);
  const slow = !title && /\bSLOW\b/.test(user);
  const failing = !title && /\bFAIL\b/.test(user);
  let text;
  if (title) { stats.titles++; text = makeTitle(user); } else { replyNo++; text = 'Mock reply #' + replyNo + '. All good.'; }
  log('chat model=' + model + ' stream=' + !!body.stream + ' title=' + title + ' slow=' + slow + ' fail=' + failing);

  if (failing) {
    stats.failed++;
    return sendJSON(res, 400, { error: { message: 'mock failure requested (FAIL)', type: 'invalid_request_error', code: 'mock_fail' } });
  }
  const id = 'chatcmpl-mock' + Date.now().toString(36) + replyNo;
  const usage = usageFor(body, text);

  if (!body.stream) {
    const finish = () => sendJSON(res, 200, {
      id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage,
    });
    const t = setTimeout(finish, slow ? SLOW_MS : DELAY_MS);
    res.on('close', () => clearTimeout(t));
    return;
  }

  let closed = false;
  const timers = [];
  res.on('close', () => {
    closed = true;
    timers.forEach((t) => { clearTimeout(t); clearInterval(t); });
    if (slow) stats.slow_active--;
  });
  const write = (s) => { if (!closed) res.write(s); };
  const finishStream = () => {
    if (closed) return;
    const parts = text.match(/.{1,12}/gs) || [text];
    for (const p of parts) write(chunk(id, model, { content: p }));
    write(chunk(id, model, {}, 'stop'));
    write(chunk(id, model, null, null, usage));
    write('data: [DONE]\n\n');
    res.end();
  };
  const start = () => {
    if (closed) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    write(chunk(id, model, { role: 'assistant', content: '' }));
    if (slow) {
      stats.slow++; stats.slow_active++;
      write(chunk(id, model, { content: 'Working slowly' }));
      timers.push(setInterval(() => write(chunk(id, model, { content: '.' })), TRICKLE_MS));
      timers.push(setTimeout(finishStream, SLOW_MS));
    } else {
      finishStream();
    }
  };
  if (DELAY_MS > 0) timers.push(setTimeout(start, DELAY_MS)); else start();
}

const server = http.createServer((req, res) => {
  stats.requests++;
  const url = (req.url || '').split('?')[0].replace(/\/+$/, '');
  if (req.method === 'GET' && (url === '/v1/models' || url === '/models')) {
    return sendJSON(res, 200, { object: 'list', data: MODELS.map((m) => ({ id: m, object: 'model', created: 1700000000, owned_by: 'mock' })) });
  }
  if (req.method === 'GET' && url === '/health') return sendJSON(res, 200, { healthy: true });
  if (req.method === 'GET' && url === '/stats') return sendJSON(res, 200, stats);
  if (req.method === 'POST' && (url === '/v1/chat/completions' || url === '/chat/completions')) {
    const bufs = [];
    req.on('data', (d) => bufs.push(d));
    req.on('end', () => {
      let body;
      try { body = JSON.parse(Buffer.concat(bufs).toString('utf8') || '{}'); } catch (e) {
        return sendJSON(res, 400, { error: { message: 'bad JSON: ' + e.message, type: 'invalid_request_error' } });
      }
      handleChat(req, res, body);
    });
    return;
  }
  log('404 ' + req.method + ' ' + req.url);
  sendJSON(res, 404, { error: { message: 'no route ' + req.method + ' ' + url, type: 'not_found' } });
});

server.keepAliveTimeout = 1000;
server.listen(PORT, '127.0.0.1', () => {
  const port = server.address().port;
  if (PORT_FILE) {
    fs.writeFileSync(PORT_FILE + '.tmp', String(port) + '\n');
    fs.renameSync(PORT_FILE + '.tmp', PORT_FILE);
  }
  process.stdout.write('model server listening on http://127.0.0.1:' + port + '\n');
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => { server.closeAllConnections && server.closeAllConnections(); server.close(); process.exit(0); });
}
