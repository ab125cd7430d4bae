import type { Channel } from '../channel';
import type { ChannelDeps } from './deliver';
import { emailChannel } from './email';
import { offerChannel } from './offer';
import { retryChannel } from './retry';
import { createAmTaskChannel } from './am-task';
import { createVoiceChannel } from './voice/channel';
import { createWebhookChannel } from './webhook';

export type { ChannelDeps } from './deliver';

/** Every channel the engine can use. Adding one (voice, am_task, webhook: #13) is one line here. */
export function createChannels(deps: ChannelDeps): Channel[] {
  return [
    emailChannel(deps),
    retryChannel(deps),
    offerChannel(deps),
    // White-glove outreach (#13)
    createVoiceChannel({ secrets: deps.secrets, fetch: deps.fetch ?? globalThis.fetch, workspaceName: deps.workspaceName }),
    createAmTaskChannel(),
    createWebhookChannel({ secrets: deps.secrets, fetch: deps.fetch ?? globalThis.fetch }),
  ];
}
