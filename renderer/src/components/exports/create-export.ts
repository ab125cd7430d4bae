import type { ReclaimClient } from '../../../../shared/contract';
import type { ExportChoice } from './choices';

/** Asks the core for the export file (`exports.create`) and returns it as a Blob to download. */
export async function createExport(client: ReclaimClient, workspaceId: string, choice: ExportChoice): Promise<{ filename: string; blob: Blob }> {
  const r = await client.call('exports.create', {
    workspaceId,
    what: choice.what,
    format: choice.format,
    ...(choice.segment ? { segment: choice.segment } : {}),
    ...(choice.from ? { from: choice.from } : {}),
    ...(choice.to ? { to: choice.to } : {}),
  });
  const bytes = r.encoding === 'base64' ? Uint8Array.from(atob(r.content), (c) => c.charCodeAt(0)) : r.content;
  return { filename: r.fileName, blob: new Blob([bytes], { type: r.mime }) };
}
