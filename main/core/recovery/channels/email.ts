import type { Channel } from '../channel';
import { deliver, emailEstimate, recoverEmail, type ChannelDeps } from './deliver';

/** Email step: the strategy's template in its tone, from the workspace or the account manager. */
export function emailChannel(deps: ChannelDeps): Channel {
  return {
    kind: 'email',
    estimate: emailEstimate,
    execute: async (action) => {
      if (action.step.channel !== 'email') throw new Error('email channel got a non-email step');
      const c = action.step.config;
      return deliver(action, deps, { template: c.template, sender: c.sender });
    },
    recover: recoverEmail,
  };
}
