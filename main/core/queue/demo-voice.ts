/**
 * The demo workspace's telephony: the local fake provider
 * (main/voice-sim/fake-voice-provider.ts), started in this process on first
 * use and written into the workspace's voice settings, unless the user set a
 * provider of their own. Nobody is ever called. Numbers ending in an even digit
 * do not answer, so the demo shows both outcomes (and the escalation to an
 * account-manager task).
 */
import type { HandlerContext } from '../context';
import { startFakeVoiceProvider, type FakeVoiceProvider } from '../../voice-sim/fake-voice-provider';
import { getSettings, updateSettings, voiceTokenSecretId } from './settings';

const MARK = 'whiteglove.demo_voice';

export class DemoVoice {
  private readonly servers = new Map<string, Promise<FakeVoiceProvider>>();

  constructor(private readonly ctx: HandlerContext) {}

  async ensure(workspaceId: string): Promise<void> {
    if (this.ctx.registry.get(workspaceId).kind !== 'demo') return;
    const db = this.ctx.db(workspaceId);
    const voice = getSettings(db).voice;
    const marked = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(MARK) as string | undefined;
    // The user configured a provider (or the call list) on purpose: leave it.
    if (!marked && db.prepare(`SELECT 1 FROM whiteglove_settings WHERE key = 'voice'`).get()) return;
    if (marked && voice.apiBase !== marked) return;
    let p = this.servers.get(workspaceId);
    if (!p) {
      p = startFakeVoiceProvider({ outcomeFor: (to) => (Number(to.slice(-1)) % 2 === 0 ? 'no-answer' : 'answered') });
      this.servers.set(workspaceId, p);
    }
    const fake = await p;
    if (voice.apiBase === fake.url) return;
    updateSettings(db, 'voice', { provider: 'http', apiBase: fake.url, accountId: fake.accountId, fromNumber: '+15550100000' });
    db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(MARK, fake.url);
    await this.ctx.ports.secrets.set(voiceTokenSecretId(workspaceId), fake.authToken);
  }

  /** The fake provider of a demo workspace (tests count its calls). */
  server(workspaceId: string): Promise<FakeVoiceProvider> | undefined {
    return this.servers.get(workspaceId);
  }

  async close(): Promise<void> {
    const all = [...this.servers.values()];
    this.servers.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}
