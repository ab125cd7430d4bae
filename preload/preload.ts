/**
 * Preload (sandboxed): exposes exactly one object, `window.reclaimBridge`, with
 * an invoke function and an event subscription. No Node or Electron API leaks.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

const api = {
  invoke: (method: string, input: unknown): Promise<unknown> => ipcRenderer.invoke('reclaim:invoke', method, input),
  subscribe: (listener: (event: string, payload: unknown) => void): (() => void) => {
    const handler = (_e: IpcRendererEvent, event: string, payload: unknown) => listener(event, payload);
    ipcRenderer.on('reclaim:event', handler);
    return () => ipcRenderer.removeListener('reclaim:event', handler);
  },
  menu: (listener: (command: string) => void): (() => void) => {
    const handler = (_e: IpcRendererEvent, command: string) => listener(command);
    ipcRenderer.on('reclaim:menu', handler);
    return () => ipcRenderer.removeListener('reclaim:menu', handler);
  },
};

export type PreloadApi = typeof api;

contextBridge.exposeInMainWorld('reclaimBridge', api);
