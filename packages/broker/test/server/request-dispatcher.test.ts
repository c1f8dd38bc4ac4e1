// RequestDispatcher on an in-memory connection (no broker, no socket): framing and decoding faults
// close the connection; a handler failure is answered with UNKNOWN_SERVER_ERROR (the handler's
// errorResponse, or the generic top-level ErrorCode) and logged, or closes the connection when the
// response has no place for an error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { apiVersionsHandler } from '../../src/handlers/api-versions.ts';
import { findCoordinatorHandler } from '../../src/handlers/find-coordinator.ts';
import { heartbeatHandler } from '../../src/handlers/heartbeat.ts';
import { listGroupsHandler } from '../../src/handlers/list-groups.ts';
import { HandlerRegistry, NO_RESPONSE, type AnyApiHandler } from '../../src/server/handler-registry.ts';
import { openDispatcher } from '../helpers/dispatcher-harness.ts';
import { requestFrame } from '../helpers/wire-client.ts';

const registry = (...handlers: AnyApiHandler[]) => {
  const r = new HandlerRegistry();
  for (const h of handlers) r.register(h);
  return r;
};

const boom = () => {
  throw new Error('boom');
};

/** Heartbeat that answers NONE, with a served range of 2-4 (0-1 refused with UNSUPPORTED_VERSION). */
const heartbeat: AnyApiHandler = {
  ...heartbeatHandler,
  minVersion: 2,
  handle: () => ({ throttleTimeMs: 0, errorCode: ErrorCode.NONE }),
  rejectVersion: () => ({ errorCode: ErrorCode.UNSUPPORTED_VERSION }),
};

describe('RequestDispatcher: framing and decoding faults close the connection', () => {
  const cases: Array<[string, Buffer]> = [
    ['a header shorter than 8 bytes', Buffer.from([0, 0, 0, 5, 0, 12, 0, 0, 0])],
    ['an unknown API key', requestFrame(32000, 0, 1)],
    ['a version above the handler range', requestFrame(ApiKey.Heartbeat, 5, 1)],
    [
      'a ClientId longer than the frame',
      (() => {
        const f = requestFrame(ApiKey.Heartbeat, 2, 1);
        f.writeInt16BE(500, 12);
        return f;
      })(),
    ],
    ['a body that does not decode', requestFrame(ApiKey.Heartbeat, 2, 1, Buffer.from([0, 1, 0x67]))],
  ];
  for (const [label, frame] of cases) {
    it(label, async () => {
      const d = openDispatcher(registry(heartbeat));
      d.wire.send(frame);
      await d.wire.closed;
      await d.connection.whenClosed();
    });
  }

  it('a version below the handler range without rejectVersion', async () => {
    const d = openDispatcher(registry({ ...heartbeat, rejectVersion: undefined }));
    d.send(ApiKey.Heartbeat, 1, 1, { groupId: 'g' });
    await d.wire.closed;
  });
});

describe('RequestDispatcher: versions', () => {
  it('answers a version below the served range with rejectVersion', async () => {
    const d = openDispatcher(registry(heartbeat));
    d.send(ApiKey.Heartbeat, 1, 7, { groupId: 'g', generationId: 1, memberId: 'm' });
    const res = await d.response(ApiKey.Heartbeat, 1);
    assert.deepEqual(res, { correlationId: 7, body: { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION } });
  });

  it('answers ApiVersions of an unsupported version with a v0 body, UNSUPPORTED_VERSION and its range (KIP-511)', async () => {
    const d = openDispatcher(registry(apiVersionsHandler));
    d.wire.send(requestFrame(ApiKey.ApiVersions, 99, 3));
    const res = await d.response(ApiKey.ApiVersions, 0);
    assert.equal(res.correlationId, 3);
    assert.equal(res.body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.deepEqual(res.body.apiKeys, [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: apiVersionsHandler.maxVersion }]);
  });

  it('sends nothing for NO_RESPONSE and answers the next request', async () => {
    let calls = 0;
    const d = openDispatcher(registry({ ...heartbeat, handle: () => (calls++ === 0 ? NO_RESPONSE : { errorCode: ErrorCode.NONE }) }));
    d.send(ApiKey.Heartbeat, 4, 1, { groupId: 'g' });
    d.send(ApiKey.Heartbeat, 4, 2, { groupId: 'g' });
    assert.equal((await d.response(ApiKey.Heartbeat, 4)).correlationId, 2);
  });
});

describe('RequestDispatcher: a failing handler', () => {
  it("is answered with the handler's errorResponse (UNKNOWN_SERVER_ERROR), logged with the API name, and the connection serves on", async () => {
    let calls = 0;
    const d = openDispatcher(registry({ ...heartbeat, handle: () => (calls++ === 0 ? boom() : { errorCode: ErrorCode.NONE }) }));
    d.send(ApiKey.Heartbeat, 4, 1, { groupId: 'g' });
    d.send(ApiKey.Heartbeat, 4, 2, { groupId: 'g' });
    assert.deepEqual(await d.response(ApiKey.Heartbeat, 4), {
      correlationId: 1,
      body: { throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR },
    });
    assert.deepEqual(await d.response(ApiKey.Heartbeat, 4), { correlationId: 2, body: { throttleTimeMs: 0, errorCode: ErrorCode.NONE } });
    const [entry] = d.logged.filter((e) => e.level === 'error');
    assert.equal(entry!.fields!.api, 'Heartbeat');
    assert.equal(entry!.fields!.correlationId, 1);
    assert.equal((entry!.fields!.error as Error).message, 'boom');
  });

  it('a rejected promise counts as a failure', async () => {
    const d = openDispatcher(registry({ ...heartbeat, handle: () => Promise.reject(new Error('later')) }));
    d.send(ApiKey.Heartbeat, 3, 1, { groupId: 'g' });
    assert.equal((await d.response(ApiKey.Heartbeat, 3)).body.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
  });

  it('a response that does not encode at the request version counts as a failure', async () => {
    // FindCoordinator v4+ has no top-level ErrorCode: a non-zero one cannot be written.
    const d = openDispatcher(registry({ ...findCoordinatorHandler, handle: () => ({ errorCode: ErrorCode.NOT_COORDINATOR }) }));
    d.send(ApiKey.FindCoordinator, 4, 1, { coordinatorKeys: ['g'] });
    const res = await d.response(ApiKey.FindCoordinator, 4);
    assert.deepEqual(
      res.body.coordinators.map((c) => [c.key, c.errorCode, c.nodeId]),
      [['g', ErrorCode.UNKNOWN_SERVER_ERROR, -1]],
    );
  });

  it('without errorResponse: the top-level ErrorCode is set, every other field left at its default', async () => {
    const d = openDispatcher(registry({ ...listGroupsHandler, errorResponse: undefined, handle: boom }));
    d.send(ApiKey.ListGroups, 5, 1, {});
    assert.deepEqual((await d.response(ApiKey.ListGroups, 5)).body, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
      groups: [],
    });
  });

  it('without errorResponse, when the response has no top-level ErrorCode at that version: the connection is closed', async () => {
    const d = openDispatcher(registry({ ...findCoordinatorHandler, errorResponse: undefined, handle: boom }));
    d.send(ApiKey.FindCoordinator, 4, 1, { coordinatorKeys: ['g'] });
    await d.wire.closed;
    assert.equal(d.wire.pending.length, 0);
  });

  it('without errorResponse, a handler with its own codec: the connection is closed', async () => {
    const custom: AnyApiHandler = {
      apiKey: ApiKey.Heartbeat,
      name: 'Custom',
      minVersion: 0,
      maxVersion: 0,
      handle: boom,
      codec: { decodeRequest: () => ({}), encodeResponse: (w) => w.writeInt32(0) },
    };
    const d = openDispatcher(registry(custom));
    d.wire.send(requestFrame(ApiKey.Heartbeat, 0, 1));
    await d.wire.closed;
  });

  it('an errorResponse that fails too: the connection is closed', async () => {
    const d = openDispatcher(registry({ ...heartbeat, handle: boom, errorResponse: boom }));
    d.send(ApiKey.Heartbeat, 4, 1, { groupId: 'g' });
    await d.wire.closed;
  });
});
