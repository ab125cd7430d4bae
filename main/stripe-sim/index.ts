export { startStripeSim, randomTestKey, type StripeSim, type SimOptions, type Fault } from './server';
export { generateBusiness, type SimData } from './generator';
export { OLD_VERSION, PINNED_VERSION } from './shapes';
