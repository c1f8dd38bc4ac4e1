// Request/response header versions and bytes, with Kafka's exceptions: the client id is an
// int16-length string even in flexible header v2, ControlledShutdown v0 uses header v0, and
// ApiVersions responses always use header v0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKey } from '../src/generated/api-keys.ts';
import { DecodeError } from '../src/wire/errors.ts';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../src/wire/headers.ts';
import { Reader } from '../src/wire/reader.ts';
import { Writer } from '../src/wire/writer.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('header versions', () => {
  it('follow each API flexible versions', () => {
    assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1);
    assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2);
    assert.equal(requestHeaderVersion(ApiKey.Metadata, 8), 1);
    assert.equal(requestHeaderVersion(ApiKey.Metadata, 9), 2);
    assert.equal(requestHeaderVersion(ApiKey.SaslHandshake, 1), 1); // never flexible
    assert.equal(responseHeaderVersion(ApiKey.Produce, 8), 0);
    assert.equal(responseHeaderVersion(ApiKey.Produce, 9), 1);
    assert.equal(responseHeaderVersion(ApiKey.Fetch, 12), 1);
  });
  it('ControlledShutdown v0 uses request header v0', () => {
    assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
    assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1);
  });
  it('ApiVersions responses always use header v0, requests follow flexibility', () => {
    for (let v = 0; v <= 10; v++) assert.equal(responseHeaderVersion(ApiKey.ApiVersions, v), 0);
    assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 2), 1);
    assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
    assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 99), 2); // unsupported but still parseable
  });
});

describe('request header bytes', () => {
  it('v1: int16-length client id', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: 3, apiVersion: 1, correlationId: 42, clientId: 'ab' });
    assert.deepEqual(w.finish(), hex('0003 0001 0000002a 0002 6162'));
  });
  it('v2: client id stays int16-length (not compact), then empty tagged fields', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: 3, apiVersion: 12, correlationId: 42, clientId: 'ab' });
    assert.deepEqual(w.finish(), hex('0003 000c 0000002a 0002 6162 00'));
  });
  it('null client id is length -1', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: 18, apiVersion: 0, correlationId: 1, clientId: null });
    assert.deepEqual(w.finish(), hex('0012 0000 00000001 ffff'));
  });
  it('v0 (ControlledShutdown v0) has no client id', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: 7, apiVersion: 0, correlationId: 5, clientId: 'ignored' });
    assert.deepEqual(w.finish(), hex('0007 0000 00000005'));
    const h = decodeRequestHeader(new Reader(hex('0007 0000 00000005')));
    assert.deepEqual(h, { apiKey: 7, apiVersion: 0, correlationId: 5, clientId: null, headerVersion: 0 });
  });
  it('decodes v2 and skips unknown tagged fields', () => {
    const r = new Reader(hex('0012 0003 00000009 0003 6b6366 01 05 02 aabb ff'));
    const h = decodeRequestHeader(r);
    assert.deepEqual(h, { apiKey: 18, apiVersion: 3, correlationId: 9, clientId: 'kcf', headerVersion: 2 });
    assert.equal(r.pos, r.buf.length - 1);
  });
  it('rejects unknown API keys and truncation with DecodeError', () => {
    assert.throws(() => decodeRequestHeader(new Reader(hex('0400 0000 00000001 ffff'))), DecodeError);
    assert.throws(() => decodeRequestHeader(new Reader(hex('ffff 0000 00000001 ffff'))), DecodeError);
    assert.throws(() => decodeRequestHeader(new Reader(hex('0003 0001 00000001 0005 61'))), DecodeError);
  });
});

describe('response header bytes', () => {
  it('v0 for ApiVersions even when flexible, v1 adds tagged fields', () => {
    let w = new Writer();
    encodeResponseHeader(w, ApiKey.ApiVersions, 3, 7);
    assert.deepEqual(w.finish(), hex('00000007'));
    w = new Writer();
    encodeResponseHeader(w, ApiKey.Metadata, 9, 7);
    assert.deepEqual(w.finish(), hex('00000007 00'));
    w = new Writer();
    encodeResponseHeader(w, ApiKey.Metadata, 8, 7);
    assert.deepEqual(w.finish(), hex('00000007'));
  });
  it('decodes', () => {
    const r = new Reader(hex('00000007 01 00 01 ff'));
    assert.equal(decodeResponseHeader(r, ApiKey.Metadata, 9), 7);
    assert.equal(r.pos, 8);
    assert.equal(decodeResponseHeader(new Reader(hex('00000008')), ApiKey.ApiVersions, 3), 8);
  });
});
