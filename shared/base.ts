/** Schemas every domain's requests share. */
import { z } from 'zod';

export const Mode = z.enum(['test', 'live']);
export type Mode = z.infer<typeof Mode>;

export const WorkspaceName = z
  .string()
  .trim()
  .min(1, 'Name is required')
  .max(80, 'Name is at most 80 characters')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'Name must not contain control characters');

export const Currency = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{3}$/, 'Currency is a three-letter ISO code such as usd');

export const Empty = z.object({}).strict();
export const WorkspaceRef = z.object({ workspaceId: z.string().min(1) });
