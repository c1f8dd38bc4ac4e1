// The quota math with an injected clock: Kafka's sampled Rate (window size with its (samples - 1)
// full-window floor, sample rollover and expiry), the throttle time formula, and the
// ClientQuotaManager's precedence of quota entities and who shares a rate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataImage, applyRecords, clientQuotaRecord, type MetadataRecord } from '@tributary/metadata';
import { ClientQuotaManager } from '../../src/quota/client-quota-manager.ts';
import { IpConnectionRateQuotas } from '../../src/quota/ip-connection-rate.ts';
import { SampledRate, throttleTimeMs } from '../../src/quota/sampled-rate.ts';

describe('SampledRate', () => {
  it('divides by at least (samples - 1) windows while young', () => {
    const r = new SampledRate(11, 1000);
    r.record(5000, 0);
    assert.equal(r.windowSize(0), 10_000);
    assert.equal(r.measure(0), 500);
    r.record(7000, 500);
    assert.equal(r.windowSize(500), 10_500);
    assert.equal(r.measure(500), 12000 / 10.5);
  });

  it('rolls samples every window and measures over the time since the oldest', () => {
    const r = new SampledRate(11, 1000);
    for (let t = 0; t <= 10_000; t += 1000) r.record(1000, t);
    assert.equal(r.windowSize(10_000), 10_000);
    assert.equal(r.measure(10_000), 1100);
    // the 12th sample reuses the oldest one (started at 0)
    r.record(1000, 11_000);
    assert.equal(r.windowSize(11_000), 10_000);
    assert.equal(r.measure(11_000), 1100);
    assert.equal(r.windowSize(11_500), 10_500);
  });

  it('forgets samples older than samples x window', () => {
    const r = new SampledRate(2, 1000);
    r.record(4000, 0);
    assert.equal(r.measure(0), 4000);
    assert.equal(r.measure(1999), 4000 / 1.999);
    assert.equal(r.measure(2000), 0);
    // the purge at 2000 restarted the sample there: 500 ms in, measured over 1500 ms
    r.record(-1000, 2500);
    assert.equal(r.measure(2500), -1000 / 1.5);
  });

  it("throttle time is Kafka's (rate - quota) / quota x window", () => {
    assert.equal(throttleTimeMs(12000 / 10.5, 1000, 10_500), 1500);
    assert.equal(throttleTimeMs(1100, 1000, 10_000), 1000);
    assert.equal(throttleTimeMs(1000, 1000, 10_000), 0);
    assert.equal(throttleTimeMs(999, 1000, 10_000), 0);
    assert.equal(throttleTimeMs(2000, 1000, 3333), 3333);
  });
});

function quotas(records: MetadataRecord[]) {
  return applyRecords(MetadataImage.EMPTY, records).image.clientQuotas;
}

describe('ClientQuotaManager', () => {
  const manager = (records: MetadataRecord[], numSamples = 11) => {
    const image = quotas(records);
    return new ClientQuotaManager({ quotaKey: 'producer_byte_rate', numSamples, windowMs: 1000, quotas: () => image });
  };

  it('is disabled, and answers 0, without a quota of its kind', () => {
    const m = manager([
      clientQuotaRecord({ user: 'a' }, 'consumer_byte_rate', 1),
      clientQuotaRecord({ ip: null }, 'connection_creation_rate', 1),
    ]);
    assert.equal(m.enabled, false);
    assert.equal(m.recordAndGetThrottleTimeMs('a', 'c', 1e9, 0), 0);
  });

  it('records and throttles with exact times', () => {
    const m = manager([clientQuotaRecord({ 'client-id': 'app' }, 'producer_byte_rate', 1000)]);
    assert.equal(m.enabled, true);
    assert.equal(m.recordAndGetThrottleTimeMs('ANONYMOUS', 'app', 5000, 0), 0);
    assert.equal(m.recordAndGetThrottleTimeMs('ANONYMOUS', 'app', 7000, 500), 1500);
    assert.equal(m.recordAndGetThrottleTimeMs('ANONYMOUS', 'other', 1e9, 500), 0, 'another client id is not limited');
    // another user with the same client id shares the client-id quota's rate
    assert.equal(m.recordAndGetThrottleTimeMs('bob', 'app', 0, 500), 1500);
    assert.equal(m.maxValueInQuotaWindow('ANONYMOUS', 'app'), 10_000, 'the quota over 10 windows');
    assert.equal(m.maxValueInQuotaWindow('ANONYMOUS', 'other'), Infinity);
    m.unrecord('ANONYMOUS', 'app', 2000, 500);
    assert.equal(m.recordAndGetThrottleTimeMs('ANONYMOUS', 'app', 0, 500), 0, '10000 bytes over 10.5 s is within 1000/s');
  });

  it("applies Kafka's precedence: user+client, user+default client, user, default user..., client, default client", () => {
    const all: Array<[Record<string, string | null>, number]> = [
      [{ user: 'u', 'client-id': 'c' }, 1],
      [{ user: 'u', 'client-id': null }, 2],
      [{ user: 'u' }, 3],
      [{ user: null, 'client-id': 'c' }, 4],
      [{ user: null, 'client-id': null }, 5],
      [{ user: null }, 6],
      [{ 'client-id': 'c' }, 7],
      [{ 'client-id': null }, 8],
    ];
    const sensors = ['u\0c', 'u\0c', 'u\0', 'u\0c', 'u\0c', 'u\0', '\0c', '\0c'];
    for (let i = 0; i < all.length; i++) {
      const m = manager(all.slice(i).map(([e, v]) => clientQuotaRecord(e, 'producer_byte_rate', v)));
      assert.deepEqual(m.quotaFor('u', 'c'), { bound: i + 1, sensor: sensors[i] }, `level ${i + 1}`);
    }
    const m = manager(all.slice(1).map(([e, v]) => clientQuotaRecord(e, 'producer_byte_rate', v)));
    assert.deepEqual(m.quotaFor('v', 'd'), { bound: 5, sensor: 'v\0d' }, 'defaults stand for each actual name');
  });

  it('follows quota changes in the image', () => {
    let image = quotas([clientQuotaRecord({ user: 'u' }, 'producer_byte_rate', 10)]);
    const m = new ClientQuotaManager({ quotaKey: 'producer_byte_rate', numSamples: 11, windowMs: 1000, quotas: () => image });
    assert.equal(m.quotaFor('u', 'c')?.bound, 10);
    image = quotas([clientQuotaRecord({ user: 'u' }, 'producer_byte_rate', 20)]);
    assert.equal(m.quotaFor('u', 'c')?.bound, 20);
    image = quotas([]);
    assert.equal(m.enabled, false);
  });
});

describe('IpConnectionRateQuotas', () => {
  it('throttles new connections over the ip (or default ip) connection_creation_rate, not counting them', () => {
    const image = quotas([
      clientQuotaRecord({ ip: '10.0.0.1' }, 'connection_creation_rate', 2),
      clientQuotaRecord({ ip: null }, 'connection_creation_rate', 1),
    ]);
    const q = new IpConnectionRateQuotas(2, 1000, () => image);
    assert.deepEqual(
      [0, 0, 0, 0].map(() => q.recordAndGetThrottleTimeMs('10.0.0.1', 0)),
      [0, 0, 500, 500],
    );
    assert.equal(q.recordAndGetThrottleTimeMs('10.0.0.1', 500), 0, '3 over 1.5 s is 2/s');
    assert.deepEqual([q.recordAndGetThrottleTimeMs('10.0.0.2', 0), q.recordAndGetThrottleTimeMs('10.0.0.2', 0)], [0, 1000]);
    const none = new IpConnectionRateQuotas(2, 1000, () => quotas([clientQuotaRecord({ user: 'u' }, 'producer_byte_rate', 1)]));
    assert.equal(none.recordAndGetThrottleTimeMs('10.0.0.1', 0), 0);
  });
});
