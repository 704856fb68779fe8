import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Html = string | HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Plain, readable pages: system fonts, text and controls above WCAG AA contrast (#1a1a1a on white,
 * white on #0b57d0), a focus ring on every control, errors in words next to the field they concern.
 */
const style = raw(`
  body { font: 1.0625rem/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
  main { max-width: 32rem; margin: 3rem auto; padding: 0 1.25rem; }
  h1 { font-size: 1.6rem; line-height: 1.25; }
  label { display: block; font-weight: 600; margin-top: 1.25rem; }
  .hint { display: block; font-weight: 400; color: #444; font-size: .95rem; }
  input { display: block; box-sizing: border-box; width: 100%; font: inherit; padding: .55rem .6rem; margin-top: .3rem;
          border: 2px solid #5f6368; border-radius: 4px; }
  button { font: inherit; font-weight: 600; margin-top: 1.5rem; padding: .6rem 1.2rem; color: #fff; background: #0b57d0;
           border: 2px solid #0b57d0; border-radius: 4px; cursor: pointer; }
  :focus-visible { outline: 3px solid #b3261e; outline-offset: 2px; }
  .error { color: #b3261e; font-weight: 600; }
  .alert { border-left: 6px solid #b3261e; background: #fdecea; padding: .75rem 1rem; }
  .ok { border-left: 6px solid #146c2e; background: #e6f4ea; padding: .75rem 1rem; }
  code, .secret { font-family: ui-monospace, monospace; word-break: break-all; background: #f1f3f4; padding: .1rem .3rem; }
  ul.codes { font-family: ui-monospace, monospace; columns: 2; }
`);

/** A whole document: `c.html()` adds no doctype. */
export function page(title: string, body: Html) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · PAMS</title>
<style>${style}</style>
</head>
<body><main>
<h1>${title}</h1>
${body}
</main></body>
</html>`;
}

/**
 * The problem in words, announced (role="alert") and focused first, so a screen reader or a keyboard
 * user starts there. `tabindex=-1` lets autofocus land on a non-control.
 */
export const alert = (message: string | null) => (message ? html`<p class="alert" role="alert" tabindex="-1" autofocus>${message}</p>` : '');

export type FieldErrors = Record<string, string[] | undefined>;

type Field = { name: string; label: string; type: string; autocomplete: string; hint?: string; value?: string; inputmode?: string; pattern?: string };

/** A labelled input; its error, if any, is tied to it with aria-describedby and aria-invalid. */
export function field(f: Field, errors: FieldErrors, autofocus: boolean) {
  const messages = errors[f.name];
  const hintId = `${f.name}-hint`;
  const errorId = `${f.name}-error`;
  const describedBy = [f.hint && hintId, messages && errorId].filter(Boolean).join(' ');
  return html`<label for="${f.name}">${f.label}${f.hint ? html`<span class="hint" id="${hintId}">${f.hint}</span>` : ''}</label>
${messages ? html`<span class="error" id="${errorId}">${f.label} ${messages.join('; ')}</span>` : ''}
<input id="${f.name}" name="${f.name}" type="${f.type}" autocomplete="${f.autocomplete}" required
  ${f.value !== undefined ? html`value="${f.value}"` : ''} ${f.inputmode ? html`inputmode="${f.inputmode}"` : ''}
  ${f.pattern ? html`pattern="${f.pattern}"` : ''} ${describedBy ? html`aria-describedby="${describedBy}"` : ''}
  ${messages ? raw('aria-invalid="true"') : ''} ${autofocus ? raw('autofocus') : ''}>`;
}

/**
 * A POST form. Its fields get focus in order: the first one with an error, else the first one, unless
 * the page's alert already took it.
 */
export function form(action: string, hidden: Record<string, string>, fields: Field[], errors: FieldErrors, submit: string, alertShown: boolean) {
  const focusOn = alertShown ? null : (fields.find((f) => errors[f.name]) ?? fields[0])?.name;
  return html`<form method="post" action="${action}" novalidate>
${Object.entries(hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
${fields.map((f) => field(f, errors, f.name === focusOn))}
<button type="submit">${submit}</button>
</form>`;
}
