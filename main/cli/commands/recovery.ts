import type { Command } from 'commander';
import type { ChannelKind, Plan, RunSummary, Strategy } from '../../../shared/contract';
import { formatMoney } from '../../../shared/money';
import { CliExit, type CliContext } from '../context';
import { formatTime, table } from '../format';
import { parseMode, writeExport } from '../export-file';
import { readInput } from '../input';

const collect = (v: string, prev: string[]) => [...prev, v];
const CHANNELS: ChannelKind[] = ['email', 'retry', 'offer', 'voice', 'am_task', 'webhook'];

function parseDate(v: string, flag: string): number {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new CliExit(2, `${flag} must be a date such as 2026-11-01 or 2026-11-01T12:00Z, got "${v}"`);
  return t;
}

function runLine(r: RunSummary, currency: string): string {
  const c = r.counts;
  return [
    `Run ${r.id} — ${r.status}${r.mode === 'live' ? ' — LIVE' : ''} (started by ${r.startedBy}, ${formatTime(r.createdAt)})`,
    `  invoices ${r.invoices}; actions: ${c.succeeded} done, ${c.failed} failed, ${c.skipped} skipped, ${c.canceled} stopped, ${c.scheduled} scheduled${c.in_flight ? `, ${c.in_flight} in flight` : ''}`,
    `  recovered ${r.recovered.invoices} invoice(s), ${formatMoney(r.recovered.amount, currency)}; offer cost ${formatMoney(r.cost, currency)}` +
      (r.nextDueAt ? `; next step due ${formatTime(r.nextDueAt * 1000)}` : ''),
  ].join('\n');
}

function planText(p: Plan): string {
  const cur = p.currency;
  const t = p.totals;
  return [
    `Plan ${p.planId}${p.mode === 'live' ? ' — LIVE MODE' : ' (test mode)'}: ${t.invoices} open failed invoice(s) of ${t.customers} customer(s), ${formatMoney(t.amountAtRisk, cur)} at risk`,
    `Actions: ${t.actionsNow} now, ${t.actionsLater} later, ${t.skipped} skipped; estimated offer cost ${formatMoney(t.estimatedCost, cur)}`,
    '',
    table(
      t.bySegment.map((s) => ({ segment: s.segmentName, invoices: s.invoices, risk: formatMoney(s.amountAtRisk, cur), actions: s.actions, skipped: s.skipped, cost: formatMoney(s.estimatedCost, cur) })),
      [
        { key: 'segment', label: 'SEGMENT' },
        { key: 'invoices', label: 'INVOICES', align: 'right' },
        { key: 'risk', label: 'AT RISK', align: 'right' },
        { key: 'actions', label: 'ACTIONS', align: 'right' },
        { key: 'skipped', label: 'SKIPPED', align: 'right' },
        { key: 'cost', label: 'COST', align: 'right' },
      ],
    ),
    '',
    table(
      t.byChannel.map((c) => ({ channel: c.channel, now: c.now, later: c.later, skipped: c.skipped })),
      [
        { key: 'channel', label: 'CHANNEL' },
        { key: 'now', label: 'NOW', align: 'right' },
        { key: 'later', label: 'LATER', align: 'right' },
        { key: 'skipped', label: 'SKIPPED', align: 'right' },
      ],
    ),
    ...(t.skipReasons.length ? ['', 'Skipped because:', ...t.skipReasons.map((r) => `  ${r.count} × ${r.reason}`)] : []),
    ...(p.warnings.length ? ['', ...p.warnings.map((w) => `! ${w}`)] : []),
  ].join('\n');
}

export function registerRecoveryCommands(program: Command, ctx: CliContext): void {
  const { call, print } = ctx;
  const currency = async (workspaceId: string) => (await call('workspaces.list', {})).find((w) => w.id === workspaceId)?.currency ?? 'usd';
  /** A segment id, name, or "default" → the key strategies use. */
  const segmentKey = async (workspaceId: string, ref: string): Promise<string> => {
    if (ref.toLowerCase() === 'default') return 'default';
    const { segments } = await call('segments.list', { workspaceId });
    const hit = segments.find((s) => s.id === ref) ?? segments.find((s) => s.name.toLowerCase() === ref.toLowerCase());
    if (!hit) throw new CliExit(2, `No segment "${ref}" (see: reclaim segments list; "default" is the Default strategy)`);
    return hit.id;
  };
  const filters = async (workspaceId: string, opts: { segment: string[]; channel: string[]; repeatDone?: boolean }) => {
    for (const c of opts.channel) if (!CHANNELS.includes(c as ChannelKind)) throw new CliExit(2, `--channel must be one of ${CHANNELS.join(', ')}`);
    return {
      ...(opts.segment.length ? { segmentIds: await Promise.all(opts.segment.map((s) => segmentKey(workspaceId, s))) } : {}),
      ...(opts.channel.length ? { channels: opts.channel as ChannelKind[] } : {}),
      ...(opts.repeatDone ? { repeatDone: true } : {}),
    };
  };
  const REPEAT_DONE = 'do again steps an earlier run already did for an invoice (the per-customer contact cap still applies)';

  // ── smtp ──
  const smtp = program.command('smtp').description('email delivery: SMTP, or capture in Reclaim (the demo default)');
  smtp
    .command('set')
    .description('send recovery emails over SMTP (the password is stored encrypted and never shown again)')
    .requiredOption('--host <host>', 'SMTP host')
    .requiredOption('--port <port>', 'SMTP port', (v) => Number(v))
    .option('--tls <mode>', 'starttls | tls | none', 'starttls')
    .option('--user <user>', 'SMTP user name')
    .option('--pass <->', 'read the password from stdin ("-")')
    .requiredOption('--from <address>', 'From address')
    .option('--from-name <name>', 'From display name')
    .option('--reply-to <address>', 'Reply-To address')
    .option('--rate <perMinute>', 'emails per minute', (v) => Number(v))
    .action(async (o: { host: string; port: number; tls: string; user?: string; pass?: string; from: string; fromName?: string; replyTo?: string; rate?: number }) => {
      if (!['starttls', 'tls', 'none'].includes(o.tls)) throw new CliExit(2, '--tls must be starttls, tls or none');
      if (o.pass !== undefined && o.pass !== '-') throw new CliExit(2, 'Pass the password on stdin with --pass - (a password on the command line ends up in shell history)');
      const password = o.pass === '-' ? (await readInput('-')).replace(/\r?\n$/, '') : undefined;
      const workspaceId = await ctx.workspaceId();
      const r = await call('smtp.set', {
        workspaceId, transport: 'smtp', host: o.host, port: o.port, tls: o.tls as 'starttls' | 'tls' | 'none', from: o.from,
        ...(o.user !== undefined ? { user: o.user } : {}), ...(password !== undefined ? { password } : {}), ...(o.fromName !== undefined ? { fromName: o.fromName } : {}),
        ...(o.replyTo !== undefined ? { replyTo: o.replyTo } : {}), ...(o.rate !== undefined ? { ratePerMinute: o.rate } : {}),
      });
      print(r, () => `SMTP: ${r.host}:${r.port} (${r.tls}) from ${r.from}${r.user ? `, user ${r.user}` : ''}${r.passwordSet ? ', password stored' : ''}; at most ${r.ratePerMinute} emails/minute`);
    });
  smtp
    .command('capture')
    .description('capture emails in Reclaim instead of delivering them')
    .action(async () => {
      const r = await call('smtp.set', { workspaceId: await ctx.workspaceId(), transport: 'capture' });
      print(r, () => 'Emails are captured in Reclaim (see: reclaim outbox), not delivered.');
    });
  smtp
    .command('show')
    .description('the email settings (never the password)')
    .action(async () => {
      const r = await call('smtp.get', { workspaceId: await ctx.workspaceId() });
      print(r, () => (r.transport === 'capture' ? 'Emails are captured in Reclaim, not delivered.' : `SMTP ${r.host}:${r.port} (${r.tls}) from ${r.from}; password ${r.passwordSet ? 'stored' : 'not set'}`));
    });

  // ── strategies ──
  const strat = program.command('strategies').description('recovery strategy per segment (and the Default strategy)');
  const stepsTable = (s: Strategy) =>
    table(
      s.steps.map((x, i) => ({
        n: i + 1, id: x.id, channel: x.channel,
        when: `day ${x.delay.days}${x.delay.hours ? ` +${x.delay.hours}h` : ''} from ${x.delay.from === 'first_failure' ? 'first failure' : 'previous step'}`,
        what: x.channel === 'email' ? `${x.config.tone} email: ${x.config.template.subject}` : x.channel === 'retry' ? `retry (${x.config.aggressiveness}, cap ${x.config.maxAttempts})` : x.channel === 'offer' ? `offer: ${x.config.kind}` : x.label,
      })),
      [
        { key: 'n', label: '#', align: 'right' },
        { key: 'id', label: 'STEP' },
        { key: 'channel', label: 'CHANNEL' },
        { key: 'when', label: 'WHEN' },
        { key: 'what', label: 'WHAT' },
      ],
    );
  strat
    .command('list')
    .description('every segment’s strategy in priority order')
    .action(async () => {
      const r = await call('strategies.list', { workspaceId: await ctx.workspaceId() });
      print(r, () =>
        table(
          r.map((s) => ({ p: s.priority ?? '—', segment: s.segmentName, id: s.segmentId ?? 'default', steps: s.steps.map((x) => `${x.channel}@d${x.delay.days}`).join(' → '), custom: s.customized ? 'edited' : 'default', on: s.enabled ? 'on' : 'off' })),
          [
            { key: 'p', label: '#', align: 'right' },
            { key: 'segment', label: 'SEGMENT' },
            { key: 'id', label: 'ID' },
            { key: 'steps', label: 'STEPS' },
            { key: 'custom', label: 'STRATEGY' },
            { key: 'on', label: 'ON' },
          ],
        ),
      );
    });
  strat
    .command('show <segment>')
    .description('one strategy (segment id, name, or "default"); --json prints the file `set` accepts')
    .action(async (ref: string) => {
      const workspaceId = await ctx.workspaceId();
      const s = await call('strategies.get', { workspaceId, segmentId: await segmentKey(workspaceId, ref) });
      print(s, () => `${s.name} (${s.segmentName}; ${s.customized ? 'edited' : 'built-in default'}${s.enabled ? '' : ', turned off'})\n${s.description}\n\n${stepsTable(s)}`);
    });
  strat
    .command('set <segment>')
    .description('replace a strategy from a JSON file ({name, description?, enabled?, steps: [...]}; "-" reads stdin)')
    .requiredOption('--file <file>', 'strategy JSON')
    .action(async (ref: string, o: { file: string }) => {
      const workspaceId = await ctx.workspaceId();
      let strategy: unknown;
      try {
        strategy = JSON.parse(await readInput(o.file));
      } catch (e) {
        if (e instanceof CliExit) throw e;
        throw new CliExit(2, `The strategy file is not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      const s = await call('strategies.set', { workspaceId, segmentId: await segmentKey(workspaceId, ref), strategy: strategy as never });
      print(s, () => `Saved ${s.name} (${s.steps.length} steps)\n${stepsTable(s)}`);
    });
  strat
    .command('reset <segment>')
    .description('go back to the built-in default strategy')
    .action(async (ref: string) => {
      const workspaceId = await ctx.workspaceId();
      const s = await call('strategies.resetDefault', { workspaceId, segmentId: await segmentKey(workspaceId, ref) });
      print(s, () => `${s.segmentName} uses the built-in default again\n${stepsTable(s)}`);
    });

  // ── runs ──
  const run = program.command('run').description('recovery runs: dry-run plan, start, status, pause, resume, cancel, tick');
  run
    .command('plan')
    .description('dry run: who gets what, through which channel, when, at what cost; nothing is sent')
    .option('--segment <segment>', 'only this segment (repeatable; "default" = no segment)', collect, [])
    .option('--channel <channel>', 'only this channel (repeatable)', collect, [])
    .option('--repeat-done', REPEAT_DONE)
    .option('--out <file>', 'also write the plan to FILE (.csv or .json; a new file is private, 0600)')
    .option('--mode <octal>', 'permissions of the --out file, e.g. 644 (default: 0600 for a new file, an existing file keeps its own)', parseMode)
    .action(async (o: { segment: string[]; channel: string[]; repeatDone?: boolean; out?: string; mode?: number }) => {
      const workspaceId = await ctx.workspaceId();
      const plan = await call('runs.plan', { workspaceId, ...(await filters(workspaceId, o)) });
      if (o.out) {
        const format = o.out.toLowerCase().endsWith('.json') ? 'json' : 'csv';
        const x = await call('runs.planExport', { workspaceId, planId: plan.planId, format });
        writeExport(o.out, x.text, o.mode);
      }
      print(plan, () => `${planText(plan)}${o.out ? `\n\nWrote ${o.out}` : ''}\n\nStart it with: reclaim run start --plan ${plan.planId} --yes`);
    });
  run
    .command('start')
    .description('plan (or take --plan ID) and execute the actions due now; later steps fire with `run tick` or while the app is open')
    .option('--segment <segment>', 'only this segment (repeatable)', collect, [])
    .option('--channel <channel>', 'only this channel (repeatable)', collect, [])
    .option('--repeat-done', REPEAT_DONE)
    .option('--plan <id>', 'execute this stored plan')
    .option('--yes', 'confirm without asking (required when not interactive)')
    .action(async (o: { segment: string[]; channel: string[]; repeatDone?: boolean; plan?: string; yes?: boolean }) => {
      const workspaceId = await ctx.workspaceId();
      if (o.plan && o.repeatDone) throw new CliExit(2, '--repeat-done is part of the plan: make one with `reclaim run plan --repeat-done` and start that, or leave out --plan');
      const plan = o.plan ? await call('runs.planGet', { workspaceId, planId: o.plan }) : await call('runs.plan', { workspaceId, ...(await filters(workspaceId, o)) });
      const t = plan.totals;
      if (!ctx.globals().json && !o.yes) ctx.io.err(planText(plan));
      await ctx.confirm(
        `${plan.mode === 'live' ? 'LIVE MODE: ' : ''}Run ${t.actionsNow} action(s) now and ${t.actionsLater} later on ${t.invoices} invoice(s), estimated offer cost ${formatMoney(t.estimatedCost, plan.currency)}?`,
        o.yes,
      );
      const r = await call('runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
      print(r, () => `${r.id}\n${runLine(r, plan.currency)}`);
    });
  // print() takes a sync formatter: resolve the currency first.
  const withCurrency = (name: string, description: string, fn: (workspaceId: string, id: string) => Promise<RunSummary>) =>
    run
      .command(`${name} <runId>`)
      .description(description)
      .action(async (id: string) => {
        const workspaceId = await ctx.workspaceId();
        const cur = await currency(workspaceId);
        const r = await fn(workspaceId, id);
        print(r, () => runLine(r, cur));
      });
  withCurrency('status', 'progress, counts, recoveries and the next due step', (workspaceId, runId) => call('runs.status', { workspaceId, runId }));
  withCurrency('pause', 'stop firing steps (the action in flight finishes)', (workspaceId, runId) => call('runs.pause', { workspaceId, runId }));
  withCurrency('resume', 'resume a paused run, or finish one interrupted by a crash', (workspaceId, runId) => call('runs.resume', { workspaceId, runId, wait: true }));
  withCurrency('cancel', 'cancel every remaining step', (workspaceId, runId) => call('runs.cancel', { workspaceId, runId }));
  run
    .command('list')
    .description('recent runs')
    .action(async () => {
      const workspaceId = await ctx.workspaceId();
      const cur = await currency(workspaceId);
      const r = await call('runs.list', { workspaceId });
      print(r, () => (r.length ? r.map((x) => runLine(x, cur)).join('\n\n') : '(no runs yet)'));
    });
  run
    .command('actions <runId>')
    .description('every action of a run with its status and result')
    .option('--status <status>', 'scheduled | in_flight | pending | succeeded | failed | skipped | canceled')
    .option('--limit <n>', 'rows', (v) => Number(v), 200)
    .action(async (runId: string, o: { status?: string; limit: number }) => {
      const workspaceId = await ctx.workspaceId();
      const r = await call('runs.actions', { workspaceId, runId, limit: o.limit, ...(o.status ? { status: o.status as 'scheduled' } : {}) });
      print(r, () =>
        table(
          r.rows.map((a) => ({ due: formatTime(a.dueAt * 1000), customer: a.customerName ?? a.customerId, segment: a.segmentName, step: a.stepId, channel: a.channel, status: a.status, detail: (a.detail ?? '').slice(0, 90) })),
          [
            { key: 'due', label: 'DUE' },
            { key: 'customer', label: 'CUSTOMER' },
            { key: 'segment', label: 'SEGMENT' },
            { key: 'step', label: 'STEP' },
            { key: 'channel', label: 'CHANNEL' },
            { key: 'status', label: 'STATUS' },
            { key: 'detail', label: 'RESULT' },
          ],
        ) + `\n${r.rows.length} of ${r.total}`,
      );
    });
  run
    .command('tick')
    .description('fire every due step of every running run (for cron on an unattended machine)')
    .action(async () => {
      const workspaceId = await ctx.workspaceId();
      const r = await call('runs.tick', { workspaceId });
      print(r, () => `${r.runs} running run(s): ${r.fired} step(s) fired (${r.succeeded} done, ${r.failed} failed, ${r.skipped} skipped); ${r.joined} new failure(s) joined; ${r.stopped} sequence(s) stopped by payment`);
    });

  // ── audit, outbox, suppressions ──
  program
    .command('audit')
    .description('the append-only audit log: plans, confirmations, actions, results, errors')
    .option('--since <date>', 'from this date/time')
    .option('--until <date>', 'before this date/time')
    .option('--kind <kind>', 'e.g. run, action, action.failed, settings')
    .option('--run <runId>', 'one run')
    .option('--limit <n>', 'rows', (v) => Number(v), 100)
    .option('--out <file>', 'export everything matching to FILE (.csv or .json; a new file is private, 0600)')
    .option('--mode <octal>', 'permissions of the --out file, e.g. 644 (default: 0600 for a new file, an existing file keeps its own)', parseMode)
    .action(async (o: { since?: string; until?: string; kind?: string; run?: string; limit: number; out?: string; mode?: number }) => {
      const workspaceId = await ctx.workspaceId();
      const range = { ...(o.since ? { since: parseDate(o.since, '--since') } : {}), ...(o.until ? { until: parseDate(o.until, '--until') } : {}) };
      if (o.out) {
        const x = await call('audit.export', { workspaceId, ...range, format: o.out.toLowerCase().endsWith('.json') ? 'json' : 'csv' });
        writeExport(o.out, x.text, o.mode);
      }
      const r = await call('audit.list', { workspaceId, ...range, limit: o.limit, ...(o.kind ? { kind: o.kind } : {}), ...(o.run ? { runId: o.run } : {}) });
      print(r, () =>
        table(
          r.rows.map((e) => ({ at: formatTime(e.at), who: e.actor, kind: e.kind, message: e.message.slice(0, 110) })),
          [
            { key: 'at', label: 'WHEN' },
            { key: 'who', label: 'WHO' },
            { key: 'kind', label: 'KIND' },
            { key: 'message', label: 'WHAT' },
          ],
        ) + `\n${r.rows.length} of ${r.total}${o.out ? `; wrote ${o.out}` : ''}`,
      );
    });
  const outbox = program.command('outbox').description('emails Reclaim captured or sent');
  outbox
    .command('list', { isDefault: true })
    .description('newest first')
    .option('--run <runId>', 'one run')
    .option('--limit <n>', 'rows', (v) => Number(v), 50)
    .action(async (o: { run?: string; limit: number }) => {
      const r = await call('outbox.list', { workspaceId: await ctx.workspaceId(), limit: o.limit, ...(o.run ? { runId: o.run } : {}) });
      print(r, () =>
        table(
          r.rows.map((m) => ({ id: m.id, at: formatTime(m.createdAt), to: m.to, subject: m.subject.slice(0, 70), how: m.transport })),
          [
            { key: 'id', label: 'ID' },
            { key: 'at', label: 'WHEN' },
            { key: 'to', label: 'TO' },
            { key: 'subject', label: 'SUBJECT' },
            { key: 'how', label: 'VIA' },
          ],
        ) + `\n${r.rows.length} of ${r.total}`,
      );
    });
  outbox
    .command('show <id>')
    .description('one email, plain-text part')
    .action(async (id: string) => {
      const m = await call('outbox.get', { workspaceId: await ctx.workspaceId(), id });
      print(m, () => `From: ${m.from}\nTo: ${m.to}\nSubject: ${m.subject}\nMessage-ID: ${m.messageId}\n\n${m.text}`);
    });
  const sup = program.command('suppressions').description('addresses Reclaim never emails (unsubscribed, bounced)');
  sup.command('list').action(async () => {
    const r = await call('suppressions.list', { workspaceId: await ctx.workspaceId() });
    print(r, () => table(r.map((x) => ({ email: x.email, reason: x.reason, at: formatTime(x.createdAt) })), [{ key: 'email', label: 'EMAIL' }, { key: 'reason', label: 'REASON' }, { key: 'at', label: 'SINCE' }]));
  });
  sup
    .command('add <email>')
    .option('--reason <text>', 'why', 'unsubscribed')
    .action(async (email: string, o: { reason: string }) => {
      const r = await call('suppressions.add', { workspaceId: await ctx.workspaceId(), email, reason: o.reason });
      print(r, () => (r.added ? `${email} will not be emailed` : `${email} was already suppressed`));
    });
  sup.command('remove <email>').action(async (email: string) => {
    const r = await call('suppressions.remove', { workspaceId: await ctx.workspaceId(), email });
    print(r, () => (r.removed ? `${email} may be emailed again` : `${email} was not suppressed`));
  });
}
