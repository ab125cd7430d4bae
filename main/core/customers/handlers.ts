import { customerDetail, listCustomers } from './queries';
import { isHardDecline } from '../facts/declines';
import { catalogFor, type FactField as CatalogField } from '../facts/catalog';
import { operatorsFor } from '../facts/catalog';
import type { FactField } from '../../../shared/contract';
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
