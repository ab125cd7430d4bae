import type { EventName, EventPayload } from '../../shared/contract';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;
type AnyListener = (event: EventName, payload: unknown) => void;

/** Typed event hub: the core emits, each shell forwards to its renderer(s). */
export class CoreEvents {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();
  private readonly any = new Set<AnyListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
    for (const l of this.any) l(event, payload);
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  /** Every event, for transports that forward all of them. */
  onAny(listener: AnyListener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }
}
