import { describe, expect, it } from 'vitest';
import { hashSecret } from '#core/approval-link';
import { escapeHtml, html } from '#core/html';
import { accountRequest, approval } from '../fixtures.ts';

const attack = '<img src=x onerror=alert(1)>';
const _escapedAttack = '&lt;img src=x onerror=alert(1)&gt;';

describe('html templates', () => {
  it('escapes an interpolated script tag', () => {
    expect(html`<p>${'<script>alert("x")</script>'}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
  });

  it('escapes quotes so a value cannot leave its attribute', () => {
    expect(html`<input value="${`" onfocus='x'`}">`.value).toBe('<input value="&quot; onfocus=&#39;x&#39;">');
  });

  it('escapes ampersands once', () => {
    expect(html`${'Parks & Rec &amp; more'}`.value).toBe('Parks &amp; Rec &amp;amp; more');
  });

  it('does not escape the output of a nested template again', () => {
    const inner = html`<b>${'a & b'}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>a &amp; b</b></p>');
  });

  it('escapes each item of an interpolated list and keeps nested templates as markup', () => {
    expect(html`<ul>${['<x>', html`<li>${'<y>'}</li>`]}</ul>`.value).toBe('<ul>&lt;x&gt;<li>&lt;y&gt;</li></ul>');
  });

  it('renders nothing for null, undefined and false', () => {
    expect(html`[${null}${undefined}${false}]`.value).toBe('[]');
  });

  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

const secret = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t';
const _hostileRequest = accountRequest({
  purpose: `Promote programs ${attack}`,
  audience: `Families "quoted" & ${attack}`,
  proposedHandle: '@ABQ<b>Parks</b>',
  requester: { id: 'E102', name: `Ana ${attack}`, email: 'agallegos@cabq.example' },
});
const _storedApproval = approval({ secretHash: hashSecret(secret) });
