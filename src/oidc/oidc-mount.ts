import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { appConfig, type AppConfigType } from '../config/app.config.js';
import { InteractionPages } from './login/interaction-pages.js';
import { PAGE_HEADERS } from './login/layout.js';
import { OidcProviderHost } from './oidc-provider.host.js';

/** The OpenID Provider as the HTTP platform sees it: which paths are its, and how it answers them. */
export interface OidcMount {
  serves(path: string): boolean;
  handle(request: Request, response: Response, next: NextFunction): void;
}

/**
 * The provider under the issuer's path, answered ahead of the API's body
 * parsers (it reads its own bodies: forms, as OAuth clients send them) and
 * never at `/`. The login pages and their files are this service's own;
 * everything else there is the provider's. The platform still gives each
 * of these requests its request id, its log line (the route's template,
 * never the URL, which can carry a code) and its timing.
 *
 * The forwarded protocol and host the provider builds its URLs and its
 * cookies' Secure flag from are set from OIDC_ISSUER on every request, so
 * they never depend on what a client or a proxy sends.
 */
export function oidcMount(app: INestApplication): OidcMount {
  const config = app.get<AppConfigType>(appConfig.KEY);
  const host = app.get(OidcProviderHost);
  const pages = app.get(InteractionPages);
  const mount = config.oidc.mountPath;
  const issuer = new URL(config.oidc.issuer);
  const forwardedProto = issuer.protocol.slice(0, -1);
  return {
    serves: (path) => path === mount || path.startsWith(`${mount}/`),
    handle(request, response, next) {
      const rest = request.url.slice(mount.length) || '/';
      const path = rest.split('?')[0];
      if (path.startsWith('/interaction/') || path.startsWith('/assets/')) {
        pages.handle(request, response, path).catch(next);
        return;
      }
      // The provider's own pages (a form_post answer) start from the login pages' policy; it adds its script's hash.
      // Framing is refused as on the login pages, also for browsers that know X-Frame-Options only.
      response.setHeader('Content-Security-Policy', PAGE_HEADERS['Content-Security-Policy']);
      response.setHeader('X-Frame-Options', PAGE_HEADERS['X-Frame-Options']);
      request.headers['x-forwarded-proto'] = forwardedProto;
      request.headers['x-forwarded-host'] = issuer.host;
      request.url = rest;
      // Where the provider is mounted, as Express would say it had it been mounted with app.use(path, …).
      request.baseUrl = mount;
      host.handle(request, response).catch(next);
    },
  };
}
