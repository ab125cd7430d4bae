import { customerDetail, iterateCustomers } from './queries';
import { listCustomers } from './page';
import { isHardDecline } from '../facts/declines';
import { catalogFor, type FactField as CatalogField } from '../facts/catalog';
import { operatorsFor } from '../facts/catalog';
import { contract, type CustomerFacts, type FactField, type Input } from '../../../shared/contract';
import { badRequest } from '../errors';
import { issuesMessage } from '../issue-words';
import type { HandlerContext, HandlerGroup } from '../context';

export function toContractField(f: CatalogField): FactField {
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    ...(f.unit ? { unit: f.unit } : {}),
    description: f.description,
    ...(f.values ? { values: f.values } : {}),
    source: f.source,
    operators: operatorsFor(f.type).map((o) => ({ name: o.name, label: o.label })),
  };
}

export function customerHandlers(ctx: HandlerContext): HandlerGroup<'customers.list' | 'customers.get' | 'facts.catalog'> {
  return {
    'customers.list': async ({ workspaceId, ...q }) => listCustomers(ctx.db(workspaceId), q),
    'customers.get': async ({ workspaceId, customerId }) =>
      customerDetail(ctx.db(workspaceId), customerId, ctx.registry.get(workspaceId).mode, (code, advice) => (code ? isHardDecline(code, advice) : null)),
    'facts.catalog': async ({ workspaceId }) => catalogFor(ctx.db(workspaceId)).map(toContractField),
  };
}

/** What `streams.customers` takes: the customers.list query without paging. */
export type CustomerStreamInput = Omit<Input<'customers.list'>, 'offset' | 'limit'>;

/**
 * Reads too large for one reply (no transport carries them; the CLI's
 * `customers --all` uses them). Input is checked with the customers.list schema.
 */
export function customerStreams(ctx: HandlerContext) {
  return {
    customers(input: CustomerStreamInput): Generator<CustomerFacts, void, undefined> {
      const parsed = contract['customers.list'].input.safeParse({ ...input, offset: 0, limit: 1 });
      if (!parsed.success) throw badRequest(issuesMessage(parsed.error.issues, input));
      const { workspaceId, offset: _offset, limit: _limit, ...q } = parsed.data;
      return iterateCustomers(ctx.db(workspaceId), q);
    },
  };
}
