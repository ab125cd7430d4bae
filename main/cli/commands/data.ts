import type { Command } from 'commander';
import { formatMoney } from '../../../shared/money';
import { SORTABLE } from '../../../shared/contract';
import { UserError } from '../../core/errors';
import { CliExit, type CliContext } from '../context';
import { table } from '../format';
import { readInput } from '../input';
import { customersCsv, writeLines } from '../stream';

export function registerDataCommands(program: Command, ctx: CliContext): void {
  const { call, print } = ctx;

  program
    .command('fields')
    .description('list every customer fact and custom attribute a segment rule can use, with type, unit and allowed values')
    .action(async () => {
      const workspaceId = await ctx.workspaceId();
      const fields = await call('facts.catalog', { workspaceId });
      print(fields, () =>
        table(
          fields.map((f) => ({
            name: f.name,
            type: f.type,
            unit: f.unit ?? '',
            source: f.source,
            values: f.values?.length ? `${f.values.slice(0, 6).join(', ')}${f.values.length > 6 ? `, … (${f.values.length})` : ''}` : '',
          })),
          [
            { key: 'name', label: 'FIELD' },
            { key: 'type', label: 'TYPE' },
            { key: 'unit', label: 'UNIT' },
            { key: 'source', label: 'SOURCE' },
            { key: 'values', label: 'VALUES' },
          ],
        ),
      );
    });

  program
    .command('customers')
    .description('print customers with their facts (a page; --all streams every row for scripts)')
    .option('--limit <n>', 'rows (at most 500; page with --offset)', (v) => Number(v), 50)
    .option('--offset <n>', 'skip rows', (v) => Number(v), 0)
    .option('--search <text>', 'email, name or customer id')
    .option('--sort <field>', `one of ${SORTABLE.join(', ')}`, 'amount_at_risk')
    .option('--asc', 'ascending (default: descending)')
    .option('--all', 'every matching customer, streamed one row per line (NDJSON unless --format csv)')
    .option('--format <format>', 'with --all: ndjson or csv', 'ndjson')
    .action(async (opts: { limit: number; offset: number; search?: string; sort: string; asc?: boolean; all?: boolean; format: string }) => {
      if (!(SORTABLE as readonly string[]).includes(opts.sort)) throw new CliExit(2, `--sort must be one of ${SORTABLE.join(', ')}`);
      if (opts.format !== 'ndjson' && opts.format !== 'csv') throw new CliExit(2, '--format must be ndjson or csv');
      if (!opts.all && !(Number.isInteger(opts.limit) && opts.limit >= 1 && opts.limit <= 500)) {
        throw new CliExit(2, '--limit is 1 to 500 rows a page: use --offset N for the next page, or --all for every customer');
      }
      if (!opts.all && !(Number.isInteger(opts.offset) && opts.offset >= 0)) throw new CliExit(2, '--offset must be a whole number, 0 or more');
      const workspaceId = await ctx.workspaceId();
      if (opts.all) {
        const query = { workspaceId, sort: opts.sort as (typeof SORTABLE)[number], dir: opts.asc ? ('asc' as const) : ('desc' as const), ...(opts.search ? { search: opts.search } : {}) };
        let rows;
        try {
          rows = ctx.getCore().streams.customers(query);
        } catch (e) {
          if (e instanceof UserError) throw new CliExit(e.code === 'bad_request' ? 2 : 1, e.message);
          throw e;
        }
        if (opts.format === 'csv') {
          const catalog = await call('facts.catalog', { workspaceId });
          const facts = catalog.filter((f) => !f.name.startsWith('attrs.')).map((f) => f.name);
          const attrs = catalog.filter((f) => f.name.startsWith('attrs.')).map((f) => f.name.slice('attrs.'.length));
          await writeLines(ctx.io, customersCsv(rows, facts, attrs));
        } else {
          await writeLines(ctx.io, (function* () {
            for (const row of rows) yield JSON.stringify(row);
          })());
        }
        return;
      }
      const ws = (await call('workspaces.list', {})).find((w) => w.id === workspaceId)!;
      const r = await call('customers.list', {
        workspaceId,
        limit: opts.limit,
        offset: opts.offset,
        sort: opts.sort as (typeof SORTABLE)[number],
        dir: opts.asc ? 'asc' : 'desc',
        ...(opts.search ? { search: opts.search } : {}),
      });
      print(r, () =>
        [
          table(
            r.rows.map((c) => ({
              id: c.customer_id,
              email: c.email,
              segment: c.segment?.name ?? 'Default',
              plan: c.plan,
              mrr: formatMoney(c.mrr, ws.currency),
              risk: c.amount_at_risk ? formatMoney(c.amount_at_risk, ws.currency) : '',
              fails: c.failures_12m,
              decline: c.last_decline_code ? `${c.last_decline_code}${c.last_decline_hard ? ' (hard)' : ''}` : '',
              tenure: c.tenure_days,
            })),
            [
              { key: 'id', label: 'CUSTOMER' },
              { key: 'email', label: 'EMAIL' },
              { key: 'segment', label: 'SEGMENT' },
              { key: 'plan', label: 'PLAN' },
              { key: 'mrr', label: 'MRR', align: 'right' },
              { key: 'risk', label: 'AT RISK', align: 'right' },
              { key: 'fails', label: 'FAILS 12M', align: 'right' },
              { key: 'decline', label: 'LAST DECLINE' },
              { key: 'tenure', label: 'TENURE D', align: 'right' },
            ],
          ),
          `${r.rows.length} of ${r.total.toLocaleString('en')} customers${r.rows.length < r.total ? ' (next page: --offset; every row for scripts: --all [--format csv])' : ''}`,
        ].join('\n'),
      );
    });

  const attrs = program.command('attributes').description('custom attributes imported from CSV (usage, engagement, …)');
  attrs
    .command('import <file>')
    .description('import a CSV (header row; first column or customer/id/email identifies the customer); "-" reads stdin')
    .option('--match <by>', 'identify customers by id or email', 'id')
    .option('--dry-run', 'only preview: report problems with line numbers, change nothing')
    .option('--allow-type-change', 'import even when it changes the type of an existing attribute (segments using it may stop matching)')
    .action(async (file: string, opts: { match: string; dryRun?: boolean; allowTypeChange?: boolean }) => {
      if (opts.match !== 'id' && opts.match !== 'email') throw new CliExit(2, '--match must be id or email');
      const workspaceId = await ctx.workspaceId();
      const csv = await readInput(file);
      const match = opts.match as 'id' | 'email';
      const preview = await call('attributes.previewCsv', { workspaceId, csv, match });
      if (preview.errors.length > 0) {
        print(preview, () => [`${preview.errors.length} problem(s); nothing was imported:`, ...preview.errors.slice(0, 50).map((e) => `  line ${e.line}: ${e.message}`)].join('\n'));
        throw new CliExit(1, `The CSV has ${preview.errors.length} problem(s); nothing was imported`);
      }
      const changes = preview.typeChanges ?? [];
      if (changes.length > 0) {
        ctx.io.err(
          `warning: ${changes.map((c) => `"${c.key}" changes from ${c.from} to ${c.to}${c.segments.length ? ` (used by ${c.segments.map((s) => `"${s}"`).join(', ')})` : ''}`).join('; ')}`,
        );
      }
      if (opts.dryRun) {
        print(preview, () => `${preview.rows} rows, ${preview.matched} customers matched; columns: ${preview.columns.map((c) => `${c.key} (${c.type})`).join(', ')}. Nothing imported (--dry-run).`);
        return;
      }
      const r = await call('attributes.importCsv', { workspaceId, csv, match, allowTypeChange: Boolean(opts.allowTypeChange) });
      print(r, () => `Imported ${r.imported} rows: ${r.columns.join(', ')}`);
    });
}
