import { ROLE_LABELS } from '../../../shared/operators';
import type { HandlerContext, HandlerGroup } from '../context';
import { audit } from '../recovery/audit';
import { actorName, currentOperator, setSignedInId } from './session';
import { addOperator, getOperator, hasOperators, listOperators, removeOperator, updateOperator } from './store';

export type OperatorMethod = 'operators.list' | 'operators.add' | 'operators.update' | 'operators.remove' | 'operators.signIn' | 'operators.current';

export function operatorHandlers(ctx: HandlerContext): HandlerGroup<OperatorMethod> {
  const nowMs = () => ctx.ports.clock.now();
  const changed = (workspaceId: string) => ctx.events.emit('workspaces.changed', { ids: [workspaceId] });
  const signedIn = (workspaceId: string) => currentOperator(ctx.registry, workspaceId, ctx.db(workspaceId));

  return {
    'operators.list': async ({ workspaceId }) => {
      const db = ctx.db(workspaceId);
      return { operators: listOperators(db), signedIn: signedIn(workspaceId) };
    },
    'operators.add': async ({ workspaceId, name, email, role }) => {
      const db = ctx.db(workspaceId);
      const first = !hasOperators(db);
      const by = actorName(db);
      const op = addOperator(db, { name, email, role }, nowMs());
      // The first operator is who set the list up: this desktop is signed in as them, so it can go on adding.
      if (first && !signedIn(workspaceId)) setSignedInId(ctx.registry, workspaceId, op.id);
      audit(db, nowMs(), { actor: by, kind: 'operator.added', message: `${op.name} <${op.email}> added as ${ROLE_LABELS[op.role].toLowerCase()}`, data: { addedId: op.id, role: op.role } });
      changed(workspaceId);
      return op;
    },
    'operators.update': async ({ workspaceId, id, ...patch }) => {
      const db = ctx.db(workspaceId);
      const before = getOperator(db, id);
      const op = updateOperator(db, id, patch);
      audit(db, nowMs(), {
        actor: actorName(db), kind: 'operator.changed',
        message: `${before.name} <${before.email}> is now ${op.name} <${op.email}>, ${ROLE_LABELS[op.role].toLowerCase()}`,
        data: { changedId: op.id, role: op.role, roleBefore: before.role },
      });
      changed(workspaceId);
      return op;
    },
    'operators.remove': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      const by = actorName(db);
      const op = removeOperator(db, id);
      audit(db, nowMs(), { actor: by, kind: 'operator.removed', message: `${op.name} <${op.email}> removed from the operators`, data: { removedId: op.id } });
      changed(workspaceId);
      return { removed: true as const, id };
    },
    'operators.signIn': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      const op = id === null ? null : getOperator(db, id);
      setSignedInId(ctx.registry, workspaceId, op?.id ?? null);
      changed(workspaceId);
      return { signedIn: op };
    },
    'operators.current': async ({ workspaceId }) => {
      const db = ctx.db(workspaceId);
      return { signedIn: signedIn(workspaceId), hasOperators: hasOperators(db) };
    },
  };
}
