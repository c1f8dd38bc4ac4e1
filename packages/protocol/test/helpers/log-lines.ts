// Deterministic, realistic JSON log lines (timestamps, levels, services, hosts, trace ids, paths,
// status codes, user agents) for codec tests, fixtures and the benchmark.

export function logLines(targetBytes = 1 << 20, seed = 42): Buffer {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const hex = (): string =>
    Math.floor(rnd() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  const services = ['checkout', 'payments', 'inventory', 'auth', 'search', 'gateway'];
  const paths = ['/api/v1/orders', '/api/v1/users/me', '/api/v2/cart/items', '/health', '/api/v1/search?q=shoes', '/static/app.js'];
  const agents = ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', 'curl/8.4.0', 'okhttp/4.12.0', 'python-requests/2.31.0'];
  const msgs = ['request completed', 'cache miss', 'retrying upstream call', 'user authenticated'];
  const parts: string[] = [];
  let n = 0;
  let t = 1732400000000;
  while (n < targetBytes) {
    t += Math.floor(rnd() * 50);
    const line =
      JSON.stringify({
        ts: new Date(t).toISOString(),
        level: pick(levels),
        service: pick(services),
        host: `ip-10-0-${Math.floor(rnd() * 16)}-${Math.floor(rnd() * 255)}`,
        traceId: hex() + hex() + hex() + hex(),
        method: pick(['GET', 'POST', 'PUT']),
        path: pick(paths),
        status: pick([200, 200, 200, 201, 204, 404, 500]),
        durationMs: Math.floor(rnd() * 900),
        userAgent: pick(agents),
        msg: pick(msgs),
      }) + '\n';
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join(''));
}

/** The individual lines of `logLines`, as record values. */
export function logLineRecords(targetBytes: number, seed = 42): Buffer[] {
  const all = logLines(targetBytes, seed);
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < all.length; i++) {
    if (all[i] === 0x0a) {
      out.push(all.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
}
