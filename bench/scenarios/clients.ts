// "clients" group: the same produce/consume shapes driven by Node.js clients, ours first —
// @tributary/client, KafkaJS, @platformatic/kafka — against Tributary (and so comparing the
// clients, since the broker is the same). PLACEHOLDER: each scenario is skipped with the reason
// until its client can run; to add one, give it a `run` that starts a broker (ctx.startBroker),
// produces recordCount(ctx, size) records of recordValues(size) and returns rows with
// client: '<name> <version> <settings>' (see throughput.ts for the row fields).
import type { ScenarioGroup } from '../lib/types.ts';

export const clientsGroup: ScenarioGroup = {
  id: 'clients',
  title: 'Node.js clients against Tributary: @tributary/client, KafkaJS, @platformatic/kafka',
  setup: () => ['(comes with the TypeScript client: same records and counts as the produce and consume groups)'],
  scenarios: () => [
    { name: 'clients @tributary/client produce+consume', skip: () => '@tributary/client has no producer/consumer yet', run: async () => [] },
    { name: 'clients kafkajs produce+consume', skip: () => 'not written yet (kafkajs is a devDependency)', run: async () => [] },
    { name: 'clients @platformatic/kafka produce+consume', skip: () => 'not written yet (@platformatic/kafka not installed)', run: async () => [] },
  ],
};
