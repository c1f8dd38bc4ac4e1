// How the admin operations report a broker's error answer: a KafkaClientError named after the
// operation ("update features: INVALID_UPDATE_VERSION (<the broker's message>)"), with Kafka's error
// name, whether it is retriable, the code, and the broker's own message (KafkaClientError.errorMessage).
import { errorInfo } from '@tributary/protocol';
import { KafkaClientError } from '../network/errors.ts';

export function failAdmin(what: string, code: number, message: string | null): never {
  const info = errorInfo(code);
  throw new KafkaClientError(`${what}: ${info.name}${message ? ` (${message})` : ''}`, info.name, info.retriable, {
    code,
    errorMessage: message,
  });
}
