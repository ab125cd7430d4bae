/**
 * Who an account manager's personal email is from, and where the customer's
 * reply goes (#17 item 16). The AM settings choose between sending From the
 * account manager's own address (the mail server must be allowed to send as
 * that address) and sending from the workspace address in the manager's name
 * with Reply-To the manager. Either way a reply reaches the manager when the
 * manager has an address; when not, the answer says where replies go instead.
 */
import type { Sqlite } from '../db/sqlite';
import { getSettings } from '../queue/settings';
import { readSmtp } from './settings';
import { headerSafe, personName } from './templates';

// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const ADDRESS = /^[^\s@<>,;"\u0000-\u001f\u007f]+@[^\s@<>,;"\u0000-\u001f\u007f]+$/;

/** A manager as stored ("alice@x.com", "Alice Wong <alice@x.com>" or a plain name): display name and address. */
export function parseManager(value: string | null | undefined): { name: string | null; address: string | null } {
  const v = headerSafe(value ?? '');
  if (!v) return { name: null, address: null };
  const angle = /^(.*)<([^<>]+)>\s*$/.exec(v);
  if (angle) {
    const address = angle[2]!.trim();
    const name = angle[1]!.trim().replace(/^"(.*)"$/, '$1').trim();
    if (ADDRESS.test(address)) return { name: name || personName(address) || null, address };
    return { name: name || null, address: null };
  }
  if (ADDRESS.test(v)) return { name: personName(v) || null, address: v };
  return { name: v, address: null };
}

export interface AmSender {
  /** 'from': From is the manager; 'reply_to': From is the workspace address in the manager's name, Reply-To the manager. */
  sendAs: 'from' | 'reply_to';
  fromName: string | null;
  /** Overrides the workspace's From address (null: the workspace address). */
  fromAddress: string | null;
  replyTo: string | null;
  /** The From header as the customer sees it. */
  from: string;
  /** The address a customer's reply goes to. */
  repliesGoTo: string;
  /** Whether that is the manager. */
  repliesReachManager: boolean;
}

export function amSender(db: Sqlite, manager: string | null | undefined, defaultFrom: string): AmSender {
  const smtp = readSmtp(db);
  const { sendAs } = getSettings(db).am;
  const m = parseManager(manager);
  const workspaceFrom = smtp.from ?? defaultFrom;
  const fromName = m.name ?? (smtp.fromName ? headerSafe(smtp.fromName) : null);
  const fromAddress = m.address && sendAs === 'from' ? m.address : null;
  const replyTo = m.address;
  const shownFrom = fromAddress ?? workspaceFrom;
  const repliesGoTo = replyTo ?? (smtp.replyTo?.trim() || workspaceFrom);
  return {
    sendAs,
    fromName,
    fromAddress,
    replyTo,
    from: fromName ? `${fromName} <${shownFrom}>` : shownFrom,
    repliesGoTo,
    repliesReachManager: !!m.address,
  };
}
