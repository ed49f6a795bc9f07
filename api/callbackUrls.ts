import type { Config } from '../config/config';
import { AppError } from '../domain/errors';
import { checkCallbackUrl, checkResolvedAddresses, type LookupAll } from '../domain/urlSafety';

/** How callback URLs are judged on this deployment: HTTPS in production; public addresses unless WEBHOOK_ALLOW_PRIVATE_TARGETS. */
export const callbackUrlRulesOf = (config: Pick<Config, 'APP_ENV' | 'WEBHOOK_ALLOW_PRIVATE_TARGETS'>) => ({
  production: config.APP_ENV === 'production',
  allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
});

/**
 * The callback URL as it will be stored (normalised href), or AppError `validation_failed` with
 * `field: "callback_url"`. Unless private targets are allowed, a hostname must resolve (through
 * `lookup`) to public addresses only; the worker checks again at every delivery.
 */
export async function acceptableCallbackUrl(
  raw: string,
  rules: { production: boolean; allowPrivateTargets: boolean },
  lookup: LookupAll,
): Promise<string> {
  const refuse = (reason: string) => new AppError('validation_failed', reason, { field: 'callback_url' });
  const checked = checkCallbackUrl(raw, rules);
  if (!checked.ok) throw refuse(checked.reason);
  if (!rules.allowPrivateTargets) {
    const resolved = await checkResolvedAddresses(checked.url.hostname, lookup);
    if (!resolved.ok) throw refuse(`callback_url is not reachable on the public internet: ${resolved.reason}`);
  }
  return checked.url.href;
}
