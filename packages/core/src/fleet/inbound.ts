/** What a worker message handler answers: accepted, or refused with a counted reason. */
export type Inbound = { accepted: true } | { accepted: false; reason: string };

export const accepted: Inbound = { accepted: true };
export const refused = (reason: string): Inbound => ({ accepted: false, reason });
