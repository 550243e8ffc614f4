// Times in words.

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago", or the date for a week or more. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
  if (s < 60) return "just now";
  if (s < 3600) return plural(Math.floor(s / 60), "minute");
  if (s < 86400) return plural(Math.floor(s / 3600), "hour");
  if (s < 7 * 86400) return plural(Math.floor(s / 86400), "day");
  return `on ${new Date(iso).toLocaleDateString()}`;
}
