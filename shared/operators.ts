/**
 * Who did what (#23): the workspace's operators, their roles, and who is
 * signed in on this desktop. Spread into `contract` by shared/contract.ts
 * (this file imports nothing from it, so there is no import cycle).
 */
import { z } from 'zod';

const WorkspaceRef = z.object({ workspaceId: z.string().min(1) });

export const OperatorRole = z.enum(['specialist', 'account_manager', 'admin']);
export type OperatorRole = z.infer<typeof OperatorRole>;

export const ROLE_LABELS: Record<OperatorRole, string> = {
  specialist: 'Recovery specialist',
  account_manager: 'Account manager',
  admin: 'Admin',
};

const OperatorName = z
  .string()
  .trim()
  .min(1, 'The operator needs a name')
  .max(120, 'A name is at most 120 characters')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'A name must not contain control characters');
const OperatorEmail = z.string().trim().toLowerCase().max(200).email('The operator needs an email address such as ana@example.com');

export const Operator = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: OperatorRole,
  createdAt: z.number().int(),
});
export type Operator = z.infer<typeof Operator>;

export const operatorRequests = {
  /** The workspace's operators, and who is signed in on this desktop (null: nobody, or the workspace has none). */
  'operators.list': {
    input: WorkspaceRef.strict(),
    output: z.object({ operators: z.array(Operator), signedIn: Operator.nullable() }),
  },
  'operators.add': {
    input: WorkspaceRef.extend({ name: OperatorName, email: OperatorEmail, role: OperatorRole }).strict(),
    output: Operator,
  },
  'operators.update': {
    input: WorkspaceRef.extend({ id: z.string().min(1), name: OperatorName.optional(), email: OperatorEmail.optional(), role: OperatorRole.optional() }).strict(),
    output: Operator,
  },
  'operators.remove': {
    input: WorkspaceRef.extend({ id: z.string().min(1) }).strict(),
    output: z.object({ removed: z.literal(true), id: z.string() }),
  },
  /** Signs this desktop in as an operator of the workspace (`id` null signs out). Kept on this desktop, not in the workspace. */
  'operators.signIn': {
    input: WorkspaceRef.extend({ id: z.string().min(1).nullable() }).strict(),
    output: z.object({ signedIn: Operator.nullable() }),
  },
  'operators.current': {
    input: WorkspaceRef.strict(),
    output: z.object({ signedIn: Operator.nullable(), /** False: the workspace has no operators (one person; everything allowed). */ hasOperators: z.boolean() }),
  },
} as const;
