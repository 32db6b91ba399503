import { createHash } from 'node:crypto';
import { appScript, appStyles } from '#site/app-assets';

/**
 * The version of the site's static assets, in every asset URL, so each can be cached for a year and
 * a deploy that changes any of them changes every URL. It is the U.S. Web Design System's release
 * (a test holds it to the installed package) and a digest of the app's own stylesheet and script.
 */
export const USWDS_VERSION = '3.14.0';

export const assetVersion = createHash('sha256').update(`uswds ${USWDS_VERSION}\n${appStyles}\n${appScript}`).digest('hex').slice(0, 12);

/** The URL of one asset of this version (a flat name: the stylesheet's fonts and icons are renamed to their file names). */
export const assetUrl = (name: string) => `/assets/${assetVersion}/${name}`;

export const USWDS_STYLESHEET = 'uswds.min.css';
export const APP_STYLESHEET = 'app.css';
export const APP_SCRIPT = 'app.js';
