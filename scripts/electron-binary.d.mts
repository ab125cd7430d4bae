/** Path of the Electron binary, or null when it was not downloaded. */
export function electronBinary(): string | null;
