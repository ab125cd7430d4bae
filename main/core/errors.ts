import type { ErrorBody, ErrorCode } from '../../shared/contract';

/** An error whose message is meant for the user: shown as-is, never with a stack. */
export class UserError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorBody['issues'];
  constructor(code: ErrorCode, message: string, issues?: ErrorBody['issues']) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.issues = issues;
  }
}

export const notFound = (what: string) => new UserError('not_found', `${what} was not found`);
export const conflict = (message: string) => new UserError('conflict', message);
export const badRequest = (message: string, issues?: ErrorBody['issues']) => new UserError('bad_request', message, issues);
