import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/*
 * Stand-ins for outside services that can fall silent: they accept connections and then say nothing, the way a
 * hung server or a black-holed network path does. Tests use them to show that a silent service costs a request
 * its own time (until the client's timeout), never a database connection other requests need.
 */

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

export interface TSmtpMessage {
  from: string;
  to: string[];
  data: string;
}

export interface TSmtpStandIn {
  url: string;
  /** silent: accepts connections and never greets; answering: a minimal SMTP server that takes every message. */
  mode: 'silent' | 'answering';
  /** Connections accepted so far. */
  connections: number;
  messages: TSmtpMessage[];
  close(): Promise<void>;
}

/** A local SMTP server (EHLO, MAIL, RCPT, DATA, QUIT) that can fall silent. */
export async function startSmtpStandIn(): Promise<TSmtpStandIn> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    standIn.connections += 1;
    if (standIn.mode === 'silent') return;
    let buffer = '';
    let message: TSmtpMessage = { from: '', to: [], data: '' };
    let isReadingData = false;
    const say = (line: string) => socket.write(`${line}\r\n`);
    say('220 stand-in ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (isReadingData) {
          if (line === '.') {
            isReadingData = false;
            standIn.messages.push(message);
            message = { from: '', to: [], data: '' };
            say('250 queued');
          } else {
            message.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') say('250 stand-in');
        else if (verb === 'MAIL') {
          message.from = line.slice(10).trim();
          say('250 ok');
        } else if (verb === 'RCPT') {
          message.to.push(line.slice(8).trim());
          say('250 ok');
        } else if (verb === 'DATA') {
          isReadingData = true;
          say('354 go on');
        } else if (verb === 'QUIT') {
          say('221 bye');
          socket.end();
        } else say('250 ok');
      }
    });
  });
  const port = await listen(server);
  const standIn: TSmtpStandIn = { url: `smtp://127.0.0.1:${port}`, mode: 'answering', connections: 0, messages: [], close: closer(server, sockets) };
  return standIn;
}

export interface TSilenceableProxy {
  url: string;
  /** While silent, connections are accepted and whatever is sent is swallowed; nothing comes back. */
  isSilent: boolean;
  /** Requests' first bytes received while silent (connections that wrote something). */
  silencedConnections: number;
  /** Falls silent (or speaks again); cuts every open connection so none is left half-way through a request. */
  setSilent(isSilent: boolean): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of a real service (the S3 endpoint) that can fall silent on demand. */
export async function startSilenceableProxy(targetUrl: string): Promise<TSilenceableProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (proxy.isSilent) {
      client.once('data', () => (proxy.silencedConnections += 1));
      return;
    }
    const upstream = new Socket();
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.connect(Number(target.port), target.hostname, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  const port = await listen(server);
  const proxy: TSilenceableProxy = {
    url: `http://127.0.0.1:${port}`,
    isSilent: false,
    silencedConnections: 0,
    setSilent(isSilent) {
      proxy.isSilent = isSilent;
      proxy.silencedConnections = 0;
      for (const socket of sockets) socket.destroy();
    },
    close: closer(server, sockets),
  };
  return proxy;
}
