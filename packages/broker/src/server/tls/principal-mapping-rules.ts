// ssl.principal.mapping.rules (Kafka's SslPrincipalMapper, KIP-371): how the subject of a client
// certificate, as an RFC 2253 string, becomes the name of the principal User:<name>. Rules are
// separated by commas (a comma inside a rule's pattern is kept: the list is split the way Kafka's
// RULE_SPLITTER does), tried in order; the first that applies wins:
//   DEFAULT                              the subject unchanged
//   RULE:pattern/replacement/[L|U]       when the pattern (a regular expression) matches the whole
//                                        subject, every match is replaced ($1.. are its groups),
//                                        then lower- or upper-cased with L or U
// No rule applying is an error (Kafka's NoMatchingRule: the connection is refused).
// Patterns are JavaScript regular expressions, which agree with Java's for the usual rules
// (groups, classes, quantifiers, anchors); Java-only syntax (possessive quantifiers, \Q..\E) is not.

export interface PrincipalMappingRule {
  readonly isDefault: boolean;
  readonly pattern?: RegExp;
  readonly whole?: RegExp;
  readonly replacement?: string;
  readonly lowerCase?: boolean;
  readonly upperCase?: boolean;
}

const RULE = String.raw`(DEFAULT)|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const SPLITTER = new RegExp(String.raw`\s*(${RULE})\s*(?:,\s*|$)`, 'gy');
const PARSER = new RegExp(`^(?:${RULE})`);

export class NoMatchingRule extends Error {}

/** Parses ssl.principal.mapping.rules; throws on a malformed rule. */
export function parsePrincipalMappingRules(text: string): PrincipalMappingRule[] {
  const rules: PrincipalMappingRule[] = [];
  const s = text.trim();
  SPLITTER.lastIndex = 0;
  const parts: string[] = [];
  while (SPLITTER.lastIndex < s.length) {
    const m = SPLITTER.exec(s);
    if (!m || m[0] === '') break;
    parts.push(m[1]!);
  }
  for (const rule of parts) {
    const m = PARSER.exec(rule);
    if (!m || m[0].length !== rule.length)
      throw new Error(`Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m?.[0].length ?? 0)}\``);
    if (m[1] !== undefined) rules.push({ isDefault: true });
    else if (m[2] !== undefined) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(m[2], 'g');
      } catch (err) {
        throw new Error(`Invalid rule: ${rule}: ${(err as Error).message}`);
      }
      rules.push({
        isDefault: false,
        pattern,
        whole: new RegExp(`^(?:${m[2]})$`),
        replacement: m[3]!,
        lowerCase: m[4] === 'L',
        upperCase: m[4] === 'U',
      });
    }
    // anything else is an empty rule: ignored, as Kafka does
  }
  return rules;
}

/** The config validator. */
export function validatePrincipalMappingRules(text: string): string | undefined {
  try {
    parsePrincipalMappingRules(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Applies the rules to an RFC 2253 subject; throws NoMatchingRule when none applies. */
export function mapPrincipalName(rules: readonly PrincipalMappingRule[], subject: string): string {
  for (const r of rules) {
    if (r.isDefault) return subject;
    if (!r.whole!.test(subject)) continue;
    r.pattern!.lastIndex = 0;
    const out = subject.replace(r.pattern!, r.replacement!);
    return r.lowerCase ? out.toLowerCase() : r.upperCase ? out.toUpperCase() : out;
  }
  throw new NoMatchingRule(`No rules apply to ${subject}`);
}
