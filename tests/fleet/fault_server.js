#!/usr/bin/env node
// Misbehaving "SSH servers" for the fault tests (tests/integration/fault_*.sh).
// No npm packages; listens on 127.0.0.1 only, one port per --listen MODE.
//
//   node fault_server.js --port-file FILE [--owner-pid PID] [--lifetime S]
//                        --listen MODE [--listen MODE ...]
//
// Modes:
//   silent         accepts TCP and never sends a byte (no SSH banner)
//   banner-silent  sends a valid SSH-2.0 banner, then never another byte
//                  (the client stalls in the key exchange)
//   trickle        sends "SSH-2.0-" and then one byte every 500 ms, never a
//                  line end: data keeps coming, so only an absolute deadline
//                  (not an idle timer) ends the wait
//   garbage        sends a line that is not an SSH banner (with an escape
//                  sequence and control bytes in it) and keeps the socket open
//   garbage-close  sends binary junk without a line end, then closes
//
// FILE gets one "MODE PORT" line per --listen, written once every port is
// bound (write to a temp name, then rename: a reader never sees half of it).
// The server exits by itself after --lifetime seconds (default 300) or as
// soon as --owner-pid is gone, so a test killed with SIGKILL leaves nothing.
'use strict';
const net = require('net');
const fs = require('fs');

const args = process.argv.slice(2);
const modes = [];
let portFile = '';
let ownerPid = 0;
let lifetime = 300;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const v = args[i + 1];
  if (a === '--listen' && v !== undefined) { modes.push(v); i++; }
  else if (a === '--port-file' && v !== undefined) { portFile = v; i++; }
  else if (a === '--owner-pid' && v !== undefined) { ownerPid = parseInt(v, 10); i++; }
  else if (a === '--lifetime' && v !== undefined) { lifetime = parseInt(v, 10); i++; }
  else { process.stderr.write(`fault_server: bad argument ${a}\n`); process.exit(2); }
}
const KNOWN = ['silent', 'banner-silent', 'trickle', 'garbage', 'garbage-close'];
if (!portFile || modes.length === 0 || modes.some((m) => !KNOWN.includes(m))) {
  process.stderr.write(`fault_server: need --port-file and --listen ${KNOWN.join('|')}\n`);
  process.exit(2);
}

const sockets = new Set();
const timers = new Set();

function serve(mode, sock) {
  sockets.add(sock);
  sock.on('error', () => {});
  sock.on('close', () => sockets.delete(sock));
  sock.on('data', () => {}); // read and drop whatever the client says
  switch (mode) {
    case 'silent':
      break;
    case 'banner-silent':
      sock.write('SSH-2.0-OpenSSH_9.2p1 fault-test\r\n');
      break;
    case 'trickle': {
      sock.write('SSH-2.0-');
      const t = setInterval(() => {
        if (sock.destroyed) { clearInterval(t); timers.delete(t); return; }
        sock.write('x');
      }, 500);
      timers.add(t);
      sock.on('close', () => { clearInterval(t); timers.delete(t); });
      break;
    }
    case 'garbage':
      sock.write('\x1b[31mNOT-SSH\x1b[0m garbage \x07banner\x00 from fault_server\r\n');
      break;
    case 'garbage-close':
      sock.end(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x1b, 0x5b, 0x32, 0x4a, 0xff]));
      break;
  }
}

const bound = [];
let pending = modes.length;
modes.forEach((mode, i) => {
  const srv = net.createServer((s) => serve(mode, s));
  srv.on('error', (e) => { process.stderr.write(`fault_server: ${mode}: ${e.message}\n`); process.exit(1); });
  srv.listen(0, '127.0.0.1', () => {
    bound[i] = `${mode} ${srv.address().port}`;
    if (--pending === 0) {
      fs.writeFileSync(portFile + '.tmp', bound.join('\n') + '\n');
      fs.renameSync(portFile + '.tmp', portFile);
      process.stdout.write(`fault_server listening: ${bound.join(', ')}\n`);
    }
  });
});

function quit() {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  process.exit(0);
}
setTimeout(quit, lifetime * 1000).unref();
setInterval(() => {
  if (ownerPid > 0) {
    try { process.kill(ownerPid, 0); } catch (e) { if (e.code === "ESRCH") quit(); }
  }
}, 1000);
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
