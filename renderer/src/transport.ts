import type { Envelope, ReclaimClient } from '../../shared/contract';
import { createClient, type Transport } from '../../shared/client';

interface PreloadBridge {
  invoke(method: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  menu(listener: (command: string) => void): () => void;
}

declare global {
  interface Window {
    reclaimBridge?: PreloadBridge;
  }
}

const TOKEN_KEY = 'reclaim.console.token';

/** Browser console: token from the launch URL (then kept for this tab only). */
function httpTransport(): Transport {
  const params = new URLSearchParams(window.location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    // Take the token out of the address bar and the history: the tab keeps it
    // in sessionStorage, and a reload is let in by the page cookie.
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
  return {
    kind: 'http',
    async invoke(method, input) {
      try {
        const res = await fetch(`/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {}),
        });
        return (await res.json()) as Envelope<unknown>;
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'The Reclaim console server is not answering. Is `reclaim console` still running?' } };
      }
    },
    subscribe(listener) {
      let socket: WebSocket | null = null;
      let closed = false;
      let delay = 500;
      const connect = () => {
        const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
        socket = new WebSocket(`${proto}://${window.location.host}/events?token=${encodeURIComponent(token)}`);
        socket.onopen = () => (delay = 500);
        socket.onmessage = (m) => {
          const { event, payload } = JSON.parse(String(m.data)) as { event: string; payload: unknown };
          listener(event, payload);
        };
        socket.onclose = () => {
          if (!closed) setTimeout(connect, (delay = Math.min(delay * 2, 10_000)));
        };
      };
      connect();
      return () => {
        closed = true;
        socket?.close();
      };
    },
  };
}

export function pickClient(): ReclaimClient {
  const bridge = window.reclaimBridge;
  if (bridge) return createClient({ kind: 'ipc', invoke: bridge.invoke, subscribe: bridge.subscribe });
  return createClient(httpTransport());
}

export function onMenuCommand(listener: (command: string) => void): () => void {
  return window.reclaimBridge?.menu(listener) ?? (() => {});
}
