// The sendfile addon on its own: a region of a file arrives whole over a TCP socket whose reader
// starts late (the send waits for writability: a handle, then the callback), a file shorter than
// the region ends the send early with the bytes it had, a closed peer ends it with an error, a
// cancelled send never calls back; and the install script exits 0 with a note when the build
// fails (no compiler), so `npm install` succeeds and the broker falls back to its copy path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sendfile } from '../src/index.ts';

const PKG = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tributary-sendfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A connected pair: the server side (what we send on) and the client side (what we read). */
async function pair(): Promise<{ server: Socket; client: Socket; close(): void }> {
  return new Promise((resolve) => {
    const srv = createServer((server) => {
      server.on('error', () => {});
      resolve({
        server,
        client,
        close: () => {
          server.destroy();
          client.destroy();
          srv.close();
        },
      });
    });
    let client: Socket;
    srv.listen(0, '127.0.0.1', () => {
      client = connect((srv.address() as { port: number }).port, '127.0.0.1');
      client.on('error', () => {});
    });
  });
}

const fdOf = (s: Socket) => (s as unknown as { _handle: { fd: number } })._handle.fd;

describe('sendfile addon', { skip: sendfile === null ? 'not built' : false }, () => {
  const size = 24 * 1024 * 1024;
  const file = join(dir, 'data.bin');
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) content.writeUInt32LE(i, i);
  writeFileSync(file, content);

  it('sends a region whole, waiting for a reader that starts late', async () => {
    const p = await pair();
    p.client.pause();
    const fd = openSync(file, 'r');
    const from = 1000;
    const length = size - 5000;
    const done = new Promise<[string | null, number]>((resolve) => {
      const r = sendfile!.send(fdOf(p.server), fd, from, length, (err, sent) => resolve([err, sent]));
      assert.notEqual(typeof r, 'number', 'the socket filled up: the send waits');
    });
    const chunks: Buffer[] = [];
    let got = 0;
    const all = new Promise<void>((resolve) =>
      p.client.on('data', (d: Buffer) => {
        chunks.push(d);
        got += d.length;
        if (got >= length) resolve();
      }),
    );
    setTimeout(() => p.client.resume(), 200);
    assert.deepEqual(await done, [null, length]);
    await all;
    assert.ok(Buffer.concat(chunks).equals(content.subarray(from, from + length)));
    closeSync(fd);
    p.close();
  });

  it('a file shorter than the region: sends what there is and says so', async () => {
    const p = await pair();
    const fd = openSync(file, 'r');
    const r = sendfile!.send(fdOf(p.server), fd, size - 100, 1000, () => assert.fail('finished at once'));
    assert.equal(r, 100);
    closeSync(fd);
    p.close();
  });

  it('a peer gone mid-send ends it with an error; a cancelled send never calls back', async () => {
    const p = await pair();
    p.client.pause();
    const fd = openSync(file, 'r');
    const ended = new Promise<string | null>((resolve) => {
      sendfile!.send(fdOf(p.server), fd, 0, size, (err) => resolve(err));
    });
    setTimeout(() => p.client.destroy(), 100);
    assert.match((await ended) ?? 'none', /^E[A-Z]+$/);
    const q = await pair();
    q.client.pause();
    let called = false;
    const h = sendfile!.send(fdOf(q.server), fd, 0, size, () => (called = true));
    assert.notEqual(typeof h, 'number');
    sendfile!.cancel(h as Exclude<typeof h, number>);
    q.client.resume();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(called, false);
    closeSync(fd);
    p.close();
    q.close();
  });
});

describe('install script', () => {
  it('exits 0 with a note when the build fails (no compiler), building nothing', () => {
    const copy = join(dir, 'pkg');
    for (const f of ['package.json', 'binding.gyp', 'src', 'scripts']) cpSync(join(PKG, f), join(copy, f), { recursive: true });
    const r = spawnSync(process.execPath, ['scripts/install.mjs'], {
      cwd: copy,
      env: { ...process.env, CC: '/bin/false', CXX: '/bin/false', LINK: '/bin/false' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /native addon not built/);
    assert.equal(existsSync(join(copy, 'build', 'Release', 'sendfile.node')), false);
  });

  it('TRIBUTARY_SENDFILE_BUILD=0 skips the build', () => {
    const r = spawnSync(process.execPath, [join(PKG, 'scripts', 'install.mjs')], {
      env: { ...process.env, TRIBUTARY_SENDFILE_BUILD: '0' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /TRIBUTARY_SENDFILE_BUILD=0/);
  });
});
