/**
 * Delayed delivery on Kafka, which has none built in. A delayed message is parked in one of
 * a few delay topics, each with a fixed delay (100 ms x 4^k). Within one such topic every
 * message waits the same time, so they become ready in write order and the forwarder only
 * ever waits for the head: it pauses the partition until the head is ready, then either
 * delivers the message (due) or parks it again in the largest tier that fits what remains.
 * Everything lives in Kafka and offsets are committed after the hand-off, so delayed
 * messages survive restarts of our process and of the broker.
 */

/** Fixed delays of the delay topics, ascending (ms). */
export const DELAY_TIERS_MS = [
  100,
  400,
  1_600,
  6_400,
  25_600,
  102_400,
  409_600,
  1_638_400,
  6_553_600,
];

/** Name of the delay topic for a tier. */
export function delayTopic(prefix: string, tierMs: number): string {
  return `${prefix}delay.${tierMs}ms`;
}

/** The tier for a remaining wait: the largest that does not overshoot (the smallest if none fits). */
export function tierFor(remainingMs: number): number {
  let pick = DELAY_TIERS_MS[0];
  for (const t of DELAY_TIERS_MS) if (t <= remainingMs) pick = t;
  return pick;
}

/** The tier of a delay topic name, or undefined when it is not one. */
export function tierOfTopic(prefix: string, topic: string): number | undefined {
  const m = /^delay\.(\d+)ms$/.exec(topic.startsWith(prefix) ? topic.slice(prefix.length) : "");
  return m ? Number(m[1]) : undefined;
}
