import type { RunAction } from '../../shared/contract';
import { caller, coreAt } from '../recovery/helpers';
import { endTrial, ledger, RUN_SEED, runBase, runCustomers, runToEnd, runTrial, type RunBase } from './lib/runs';
import { faultySmtp, type SmtpFault } from './lib/smtp-faults';
import type { Tally } from './lib/tally';

/**
 * SMTP refusals and drops during a recovery run: the run must neither crash
 * nor hang, each affected email says what happened in a sentence, nothing is
 * sent twice, and once the server is healthy again the run either sends what
 * failed (exactly once) or has stopped cleanly (a permanent refusal bounces and
 * suppresses the address; a message that may have been delivered is not
 * repeated).
 */
interface SmtpCase {
  label: string;
  fault: SmtpFault;
  /** Customers with an email due at once (each costs a timeout in the slow case). */
  emails: number;
  /** After the fault: sent once the server recovers, bounced for good, or delivered once and not repeated. */
  outcome: 'sent after recovery' | 'bounced' | 'not repeated' | 'either';
  message: RegExp;
}

const CASES: SmtpCase[] = [
  { label: 'recipients refused permanently (550)', fault: { reject: 550 }, emails: 3, outcome: 'bounced', message: /^bounced: The mail server refused the message: .*550/ },
  { label: 'recipients refused temporarily (451)', fault: { reject: 451 }, emails: 3, outcome: 'sent after recovery', message: /^The mail server refused the message: .*451.*\(will try again\)$/ },
  // Cut while the message is being written: tried again; or, when the client had already handed the whole
  // message to its socket, it cannot tell this from a cut after the server took it: not repeated.
  { label: 'connection dropped during DATA', fault: 'drop-in-data', emails: 3, outcome: 'either', message: /closed the connection before accepting the message.*\(will try again\)$|may have been delivered.*not sent again/ },
  { label: 'connection dropped after the message, before the reply', fault: 'drop-after-data', emails: 3, outcome: 'not repeated', message: /may have been delivered.*not sent again/ },
  { label: 'server not listening (connection refused)', fault: 'down', emails: 3, outcome: 'sent after recovery', message: /could not be reached.*refused the connection.*\(will try again\)$/ },
  { label: 'server never answers (past the mailer timeout)', fault: 'silent', emails: 1, outcome: 'sent after recovery', message: /did not answer in time.*\(will try again\)$/ },
];

/** Raw error texts a user should never see. */
const RAW = /\n\s+at |internal|\bE(CONN\w*|TIMEDOUT|SOCKET|NVELOPE|PROTOCOL|MESSAGE)\b|Error:|undefined|\[object/;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hung for ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
}

export async function smtpFaults(tally: Tally, opts: { quick: boolean; repeat: number }): Promise<void> {
  const t0 = Date.now();
  const base: RunBase = await runBase({ seed: RUN_SEED, customers: runCustomers(opts.quick) });
  const smtp = await faultySmtp();
  const outcomes: string[] = [];
  try {
    for (const c of CASES) {
      for (let i = 1; i <= opts.repeat; i++) {
        await tally.trial(`SMTP ${c.label} #${i}`, async () => {
          await smtp.heal();
          const t = await runTrial(base, smtp.port, { emailNow: c.emails });
          const problems: string[] = [];
          try {
            await smtp.set(c.fault);
            smtp.received.length = 0;
            const core = coreAt(t.dir, t.clock);
            let affected: RunAction[];
            let runId: string;
            try {
              const call = caller(core);
              const run = await within(call('runs.start', { workspaceId: t.workspaceId, planId: t.planId, confirm: true, wait: true }), 120_000, 'the run');
              runId = run.id;
              const rows = (await call('runs.actions', { workspaceId: t.workspaceId, runId, limit: 1000 })).rows;
              affected = rows.filter((a) => a.channel === 'email' && a.detail !== null && (a.status === 'failed' || a.status === 'scheduled'));
              if (affected.length !== c.emails) problems.push(`${affected.length} emails affected by the fault, expected ${c.emails}`);
              if (rows.some((a) => a.status === 'in_flight')) problems.push('an action stayed in flight after the fault');
              for (const a of affected) {
                if (!c.message.test(a.detail ?? '') || RAW.test(a.detail ?? '')) problems.push(`unclear message: ${JSON.stringify(a.detail)}`);
                const want = c.outcome === 'sent after recovery' || (c.outcome === 'either' && / \(will try again\)$/.test(a.detail ?? '')) ? 'scheduled' : 'failed';
                if (a.status !== want) problems.push(`${a.key} is ${a.status}, expected ${want}`);
              }
              if (c.outcome === 'bounced') {
                const suppressed = new Set((await call('suppressions.list', { workspaceId: t.workspaceId })).map((s) => s.email));
                const emails = new Set(affected.map((a) => a.customerId));
                if (suppressed.size < emails.size) problems.push(`${suppressed.size} addresses suppressed after ${emails.size} permanent refusals`);
              }
            } finally {
              await core.close();
            }
            // The server recovers; the clock passes the retry delay (15 min), then every later step.
            await smtp.heal();
            t.clock.advance(20 * 60);
            const end = await within(runToEnd(t), 120_000, 'resuming the run');
            if (end.status !== 'completed') problems.push(`run ${end.status} after the server recovered`);
            const l = ledger(t, smtp.received);
            problems.push(...l.problems);
            for (const a of affected) {
              const row = l.rows.find((r) => r.key === a.key)!;
              const got = l.receivedByKey.get(a.key) ?? 0;
              const retried = c.outcome === 'sent after recovery' || (c.outcome === 'either' && a.status === 'scheduled');
              if (c.outcome === 'either' && !retried && (row.status !== 'failed' || got !== 0)) problems.push(`${a.key} cut mid-message, not repeated: ${row.status}, received ${got}`);
              if (retried && (row.status !== 'succeeded' || got !== 1)) problems.push(`${a.key} not sent once after recovery: ${row.status}, received ${got}`);
              if (c.outcome === 'bounced' && row.status !== 'failed') problems.push(`${a.key} bounced but is now ${row.status}`);
              if (c.outcome === 'not repeated' && (row.status !== 'failed' || got !== 1)) problems.push(`${a.key} after an unconfirmed send: ${row.status}, received ${got}`);
              if (c.outcome === 'bounced' && got !== 0) problems.push(`${a.key} bounced but the server received it ${got} times`);
            }
            const retriedN = affected.filter((a) => a.status === 'scheduled').length;
            outcomes.push(`${c.label}: ${affected.length} affected, ${retriedN} tried again, ${l.emails} received`);
          } finally {
            await smtp.heal();
            await endTrial(t);
          }
          return problems;
        });
      }
    }
  } finally {
    await smtp.close();
  }
  tally.note(`SMTP faults (${Math.round((Date.now() - t0) / 1000)} s; per trial): ${outcomes.join('; ')}`);
}
