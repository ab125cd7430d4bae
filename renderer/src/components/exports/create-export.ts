import type { ReclaimClient } from '../../../../shared/contract';
import type { ExportChoice } from './choices';

/** Asks the core for the export file (`exports.create`) and returns it as a Blob to download. */
export async function createExport(_client: ReclaimClient, _workspaceId: string, _choice: ExportChoice): Promise<{ filename: string; blob: Blob }> {
  throw new Error('Exports from the app are not available in this build yet; use the command shown beside the form.');
}
