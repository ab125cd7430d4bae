/**
 * What the Electron shell does with a `reclaim:invoke` IPC message, without
 * importing electron (so the harness and the unit tests drive it under Node):
 * refuse any frame that is not our renderer page, then hand the request to the
 * same `dispatch` every transport uses. It always answers with an envelope and
 * never throws (a throw would reach the renderer as Electron's own error text).
 * main.ts only registers it: `ipcMain.handle(INVOKE_CHANNEL, invoke)`.
 */
import type { Envelope } from '../../shared/contract';
import type { Core } from '../core/api';
import { dispatch } from '../core/dispatch';
import type { Logger } from '../core/ports';
import { isTrustedSender } from './policy';

export const INVOKE_CHANNEL = 'reclaim:invoke';

/** The part of Electron's `IpcMainInvokeEvent` the handler reads. */
export interface IpcSenderEvent {
  senderFrame?: { url?: unknown } | null;
}

export type InvokeHandler = (event: IpcSenderEvent | null | undefined, method: unknown, input: unknown) => Promise<Envelope<unknown>>;

function senderUrl(event: IpcSenderEvent | null | undefined): string | undefined {
  try {
    // senderFrame is null once the frame navigated away or was destroyed.
    const url = event?.senderFrame?.url;
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function createInvokeHandler(o: { core: Core; rendererUrl: string; logger: Logger }): InvokeHandler {
  return async (event, method, input) => {
    const url = senderUrl(event);
    if (!isTrustedSender(url, o.rendererUrl)) {
      o.logger.warn({ url: url?.slice(0, 200) ?? null }, 'IPC refused: untrusted sender');
      return { ok: false, error: { code: 'forbidden', message: 'Refused: request from an untrusted page' } };
    }
    if (typeof method !== 'string') return { ok: false, error: { code: 'bad_request', message: 'The request name must be a string' } };
    try {
      return await dispatch(o.core, method, input, o.logger);
    } catch (err) {
      o.logger.error({ method: method.slice(0, 80), err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'IPC request failed');
      return { ok: false, error: { code: 'internal', message: 'Reclaim could not complete the request. The details are in the log.' } };
    }
  };
}
