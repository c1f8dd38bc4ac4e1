// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time,
// so a missed goal's profile says where the broker's time went without opening DevTools.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export function topSelfTime(path: string, limit = 8): string[] {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const busy = profile.nodes.filter((n) => n.callFrame.functionName !== '(idle)');
  const total = busy.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const all = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  if (total === 0) return ['(no busy samples)'];
  const byFn = new Map<string, number>();
  for (const n of busy) {
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(/^.*\/(packages|node_modules)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + (n.hitCount ?? 0));
  }
  const ms = (profile.endTime - profile.startTime) / 1000;
  return [...byFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .concat(`(% of ${total} busy samples; ${all - total} idle; ${(ms / 1000).toFixed(1)} s of broker life, startup included)`);
}
