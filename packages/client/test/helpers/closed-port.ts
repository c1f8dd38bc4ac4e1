// A 127.0.0.1 port nothing listens on (bound once to get a free number, then closed): connecting
// to it is refused at once.
import net from 'node:net';

export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
