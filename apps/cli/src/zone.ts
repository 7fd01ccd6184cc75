/** This machine's IANA time zone (`TZ`, else the system's), as the platform's Intl reports it. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
