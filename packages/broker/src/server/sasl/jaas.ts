// JAAS configuration as Kafka reads `sasl.jaas.config` (org.apache.kafka.common.security.JaasConfig):
// `<LoginModule class> <flag> key=value ... ;` where the flag is required, requisite, sufficient
// or optional and a value is a double-quoted string (backslash escapes the next character) or a
// bare word. A `sasl.jaas.config` value holds exactly one login module, as Kafka requires.
// Error messages follow Kafka's ("JAAS config property does not contain any login modules", ...).
// Not done: the static JAAS file (java.security.auth.login.config) and its sections.

export interface JaasLoginModule {
  /** e.g. org.apache.kafka.common.security.plain.PlainLoginModule */
  readonly loginModule: string;
  readonly flag: 'required' | 'requisite' | 'sufficient' | 'optional';
  readonly options: ReadonlyMap<string, string>;
}

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

/** Splits JAAS text into words, quoted strings, '=' and ';'. */
function tokenize(text: string): Array<{ kind: 'word' | 'quoted' | '=' | ';'; value: string }> {
  const out: Array<{ kind: 'word' | 'quoted' | '=' | ';'; value: string }> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === ';') {
      out.push({ kind: c, value: c });
      i++;
    } else if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('Value not specified for key ... in JAAS config: unterminated quoted string');
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length) {
          s += text[i + 1];
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          s += d;
          i++;
        }
      }
      out.push({ kind: 'quoted', value: s });
    } else {
      let s = '';
      while (i < text.length && !/[\s=;"]/.test(text[i]!)) s += text[i++];
      out.push({ kind: 'word', value: s });
    }
  }
  return out;
}

/** Parses every login module of a JAAS text. Throws with Kafka's wording on malformed input. */
export function parseJaasModules(text: string): JaasLoginModule[] {
  const tokens = tokenize(text);
  const modules: JaasLoginModule[] = [];
  let i = 0;
  while (i < tokens.length) {
    const name = tokens[i++]!;
    if (name.kind !== 'word') throw new Error(`Invalid JAAS config: expected a login module class, found "${name.value}"`);
    const flag = tokens[i++];
    if (flag?.kind !== 'word' || !FLAGS.has(flag.value.toLowerCase()))
      throw new Error(`Invalid JAAS config: Invalid control flag ${flag ? flag.value : '(none)'}`);
    const options = new Map<string, string>();
    for (;;) {
      const t = tokens[i++];
      if (!t) throw new Error('Invalid JAAS config: the login module entry does not end with ";"');
      if (t.kind === ';') break;
      if (t.kind !== 'word') throw new Error(`Invalid JAAS config: expected an option name, found "${t.value}"`);
      const eq = tokens[i++];
      const value = tokens[i++];
      if (eq?.kind !== '=' || !value || (value.kind !== 'word' && value.kind !== 'quoted'))
        throw new Error(`Invalid JAAS config: Value not specified for key ${t.value}`);
      options.set(t.value, value.value);
    }
    modules.push({ loginModule: name.value, flag: flag.value.toLowerCase() as JaasLoginModule['flag'], options });
  }
  return modules;
}

/** The one login module of a `sasl.jaas.config` value (Kafka's JaasContext.loadServerContext checks). */
export function parseJaasConfigProperty(text: string): JaasLoginModule {
  const modules = parseJaasModules(text);
  if (modules.length === 0) throw new Error('JAAS config property does not contain any login modules');
  if (modules.length > 1) throw new Error(`JAAS config property contains ${modules.length} login modules, should be 1 module`);
  return modules[0]!;
}

/** PlainLoginModule's users: every `user_<name>="<password>"` option (Kafka's PlainServerCallbackHandler). */
export function plainUsers(module: JaasLoginModule): Map<string, string> {
  const users = new Map<string, string>();
  for (const [k, v] of module.options) if (k.startsWith('user_')) users.set(k.slice('user_'.length), v);
  return users;
}
