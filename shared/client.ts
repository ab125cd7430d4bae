import { unwrap, type Envelope, type EventName, type ReclaimClient } from './contract';

/** The minimal thing a transport provides; createClient turns it into a typed client. */
export interface Transport {
  kind: 'ipc' | 'http';
  invoke(method: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

export function createClient(transport: Transport): ReclaimClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let unsubscribe: (() => void) | null = null;
  const ensureSubscribed = () => {
    unsubscribe ??= transport.subscribe((event, payload) => {
      for (const l of listeners.get(event) ?? []) l(payload);
    });
  };
  return {
    transport: transport.kind,
    call: async (method, input) => unwrap(await transport.invoke(method, input)) as never,
    on: (event: EventName, listener) => {
      ensureSubscribed();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}
