import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 that requires AUTH (PLAIN/LOGIN, no TLS:
 * loopback only) and keeps every message's raw bytes and envelope.
 */
export async function startAuthSmtp(user: string, pass: string) {
  const messages: { raw: Buffer; rcptTo: string[] }[] = [];
  let logins = 0;
  let refusedLogins = 0;
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) {
        logins++;
        return cb(null, { user });
      }
      refusedLogins++;
      return cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ raw: Buffer.concat(chunks), rcptTo: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  // A client killed mid-message resets its connection: expected in the crash step.
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    messages,
    stats: () => ({ logins, refusedLogins }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
