import { describe, expect, it } from 'vitest';
import { contract, events, methods } from '../../shared/contract';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { testCore } from '../helpers/core';

describe('contract and handler map', () => {
  it('has exactly one handler per contract method', () => {
    const core = testCore();
    expect(Object.keys(core.handlers).sort()).toEqual(Object.keys(contract).sort());
    core.close();
  });

  it('declares an input and output schema for every method, and a schema per event', () => {
    for (const m of methods) {
      expect(typeof contract[m].input.safeParse, m).toBe('function');
      expect(typeof contract[m].output.safeParse, m).toBe('function');
    }
    expect(Object.keys(events)).toContain('workspaces.changed');
  });

  it('dispatch refuses unknown methods and invalid input with a readable error, not a throw', async () => {
    const core = testCore();
    expect(await dispatch(core, 'workspaces.drop', {}, silentLogger)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await dispatch(core, 'workspaces.create', { name: '   ', mode: 'sandbox' }, silentLogger);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('bad_request');
      expect(bad.error.issues?.map((i) => i.path).sort()).toEqual(['mode', 'name']);
    }
    const extra = await dispatch(core, 'workspaces.list', { sql: 'DROP TABLE workspaces' }, silentLogger);
    expect(extra.ok).toBe(false);
    expect(core.registry.list()).toEqual([]);
    core.close();
  });

  it('creates, renames, lists and removes a workspace through dispatch, emitting change events', async () => {
    const core = testCore();
    const seen: string[][] = [];
    core.events.on('workspaces.changed', (p) => seen.push(p.ids));
    const created = await dispatch(core, 'workspaces.create', { name: 'Acme', currency: 'EUR' }, silentLogger);
    expect(created).toMatchObject({ ok: true, value: { name: 'Acme', mode: 'test', currency: 'eur', kind: 'stripe', key: null } });
    const id = created.ok ? (created.value as { id: string }).id : '';
    expect(await dispatch(core, 'workspaces.create', { name: 'acme' }, silentLogger)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await dispatch(core, 'workspaces.rename', { id, name: 'Acme EU' }, silentLogger)).toMatchObject({ ok: true, value: { name: 'Acme EU' } });
    expect(await dispatch(core, 'workspaces.remove', { id }, silentLogger)).toMatchObject({ ok: true, value: { removed: true, id } });
    expect(await dispatch(core, 'workspaces.remove', { id }, silentLogger)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(seen).toEqual([[id], [id], [id]]);
    core.close();
  });
});
