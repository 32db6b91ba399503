import { html, SafeHtml } from '#core/html';

/*
 * The U.S. Web Design System components the pages share, as escaping templates: alerts, the error
 * summary, facts, tables that stack on a phone, the step indicator, the process list and a
 * required-field mark. Pages use these instead of writing the markup again.
 */

type Content = SafeHtml | string;

/**
 * A USWDS alert. `role`: 'status' for news (a decision recorded), 'alert' for a problem; `heading`
 * becomes the alert's heading, at `level` (h2 by default, so it fits under the page's h1).
 */
export function alert(
  kind: 'info' | 'success' | 'warning' | 'error',
  text: Content,
  options: { heading?: string; role?: 'status' | 'alert'; slim?: boolean; level?: 2 | 3 } = {},
): SafeHtml {
  const level = options.level ?? 2;
  const heading = options.heading ? html`${new SafeHtml(`<h${level} class="usa-alert__heading">`)}${options.heading}${new SafeHtml(`</h${level}>`)}` : '';
  return html`<div class="usa-alert usa-alert--${kind}${options.slim ? ' usa-alert--slim' : ''}"${options.role ? html` role="${options.role}"` : ''}><div class="usa-alert__body">${heading}<div class="usa-alert__text">${text}</div></div></div>`;
}

/**
 * The error summary at the top of a form (USWDS error alert): says how many problems, links each to
 * its field (`#id`), and takes focus when the page loads (autofocus, and the script for older
 * browsers), so a screen reader and a phone user both land on it.
 */
export function errorSummary(errors: Record<string, string> | undefined, fieldIds: Record<string, string> = {}): SafeHtml | '' {
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0) return '';
  return html`<div class="usa-alert usa-alert--error" role="alert" id="error-summary" tabindex="-1" autofocus data-focus-on-load><div class="usa-alert__body">
    <h2 class="usa-alert__heading">${entries.length === 1 ? 'There is a problem' : `There are ${entries.length} problems`}</h2>
    <ul class="usa-list usa-list--unstyled">${entries.map(([k, message]) => html`<li><a href="#${fieldIds[k] ?? k}">${message}</a></li>`)}</ul></div></div>`;
}

/** The mark beside a required field's label. */
export const requiredMark = html` <abbr title="required" class="usa-hint usa-hint--required app-required">*</abbr>`;

/** A definition list of facts (label, value), two columns on a desk and one on a phone. */
export function facts(rows: readonly (readonly [string, Content])[]): SafeHtml {
  return html`<dl class="app-facts">${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

/**
 * A USWDS table that stacks on a phone: each cell carries its column's name (`data-label`), so a
 * row reads as a card instead of spilling out of the page.
 */
export function dataTable(input: { caption?: string; headers: readonly string[]; rows: readonly (readonly Content[])[]; captionHidden?: boolean }): SafeHtml {
  return html`<table class="usa-table usa-table--borderless usa-table--stacked width-full">${
    input.caption ? html`<caption${input.captionHidden ? html` class="usa-sr-only"` : ''}>${input.caption}</caption>` : ''
  }<thead><tr>${input.headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
  <tbody>${input.rows.map((row) => html`<tr>${row.map((cell, i) => html`<td data-label="${input.headers[i] ?? ''}">${cell}</td>`)}</tr>`)}</tbody></table>`;
}

export interface StepState {
  label: string;
  state: 'complete' | 'current' | 'incomplete';
}

/** The USWDS step indicator: where a request is in its chain ("step 1 of 2"). */
export function stepIndicator(steps: readonly StepState[], label = 'Progress'): SafeHtml {
  const currentIndex = steps.findIndex((s) => s.state === 'current');
  return html`<div class="usa-step-indicator usa-step-indicator--counters-sm" aria-label="${label}"><ol class="usa-step-indicator__segments">${steps.map(
    (s) =>
      html`<li class="usa-step-indicator__segment${s.state === 'complete' ? ' usa-step-indicator__segment--complete' : s.state === 'current' ? ' usa-step-indicator__segment--current' : ''}"${
        s.state === 'current' ? html` aria-current="step"` : ''
      }><span class="usa-step-indicator__segment-label">${s.label} <span class="usa-sr-only">${s.state === 'complete' ? 'completed' : s.state === 'current' ? '' : 'not completed'}</span></span></li>`,
  )}</ol>${
    currentIndex >= 0
      ? html`<div class="usa-step-indicator__header"><h2 class="usa-step-indicator__heading"><span class="usa-step-indicator__heading-counter"><span class="usa-sr-only">Step</span><span class="usa-step-indicator__current-step">${currentIndex + 1}</span> <span class="usa-step-indicator__total-steps">of ${steps.length}</span></span> <span class="usa-step-indicator__heading-text">${steps[currentIndex]?.label ?? ''}</span></h2></div>`
      : ''
  }</div>`;
}

/** The USWDS process list: a history read top to bottom, each entry a heading (when) and what happened. */
export function processList(items: readonly { heading: Content; body: Content }[]): SafeHtml {
  return html`<ol class="usa-process-list">${items.map(
    (i) => html`<li class="usa-process-list__item"><p class="usa-process-list__heading">${i.heading}</p><div class="margin-top-05">${i.body}</div></li>`,
  )}</ol>`;
}
