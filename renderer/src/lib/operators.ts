import { useCallback, useEffect, useState } from 'react';
import type { ReclaimClient } from '../../../shared/contract';
import type { Operator } from '../../../shared/operators';

export interface OperatorsState {
  operators: Operator[];
  signedIn: Operator | null;
  loaded: boolean;
  reload(): Promise<void>;
}

/** The workspace's operators and who is signed in on this desktop (#23); follows changes made elsewhere (the CLI, another window). */
export function useOperators(client: ReclaimClient | null, workspaceId: string | null | undefined): OperatorsState {
  const [state, setState] = useState<{ operators: Operator[]; signedIn: Operator | null; loaded: boolean }>({ operators: [], signedIn: null, loaded: false });
  const reload = useCallback(async () => {
    if (!client || !workspaceId) return;
    try {
      const r = await client.call('operators.list', { workspaceId });
      setState({ operators: r.operators, signedIn: r.signedIn, loaded: true });
    } catch {
      setState({ operators: [], signedIn: null, loaded: true });
    }
  }, [client, workspaceId]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading the list from the core is the effect
    void reload();
    if (!client || !workspaceId) return;
    return client.on('workspaces.changed', (e) => e.ids.includes(workspaceId) && void reload());
  }, [client, workspaceId, reload]);
  return { ...state, reload };
}
