// Reloads a listener's certificates without a restart: watches the key store and trust store files
// (fs.watch on their directories, so a file replaced by a rename, as editors and cert-manager do,
// is seen) and, once changes settle (debounced), calls `reload`, which rebuilds the listener's
// SecureContext for new connections (established ones keep theirs). A file that does not load (half
// written, wrong password, key not matching) is reported by `reload` and the old context stays; the
// next change is tried again.
// Kafka reloads key stores when AlterConfigs sets listener.name.<l>.ssl.keystore.location again
// (and refuses a certificate whose subject or SANs changed); Tributary watches the files instead,
// which needs no admin call, and does not compare subjects.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export class CertificateReloader {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    files: readonly string[],
    private readonly reload: () => void,
    private readonly debounceMs = 250,
  ) {
    const byDir = new Map<string, Set<string>>();
    for (const f of files) {
      const abs = resolve(f);
      const dir = dirname(abs);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(basename(abs));
    }
    for (const [dir, names] of byDir) {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) this.changed();
      });
      w.on('error', () => {}); // the directory went away: nothing more to watch
      this.watchers.push(w);
    }
  }

  private changed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reload();
    }, this.debounceMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
  }
}
