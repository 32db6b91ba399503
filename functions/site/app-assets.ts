/**
 * The app's own stylesheet and script, served beside the U.S. Web Design System's (assets.ts) and
 * versioned with them. They are strings in a module, not files, so every function's page layout can
 * name their version without reading a file, and the local host and the Lambda bundle serve the same
 * bytes. The stylesheet only adds what USWDS leaves to a site (the header, cards, status tags, the
 * secret box, print); the script only enhances what works without it (focus, the people picker).
 */

export const appStyles = `
body{background:#f0f0f0;color:#1b1b1b}
.app-header{background:#0b4778;color:#fff}
.app-header__inner{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding-top:.75rem;padding-bottom:.75rem}
.app-brand{color:#fff;font-weight:700;text-decoration:none;font-size:1.05rem;line-height:1.2}
.app-brand span{display:block;font-weight:400;font-size:.9rem}
.app-brand:visited{color:#fff}
.app-nav{flex:1 1 auto}
.app-nav__list{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
.app-nav__link,.app-nav__link:visited{color:#fff;text-decoration:none;display:inline-block;padding:.35rem 0;border-bottom:3px solid transparent}
.app-nav__link:hover{border-bottom-color:#97d4ea;color:#fff}
.app-nav__link[aria-current=page]{border-bottom-color:#fff;font-weight:700}
.app-account{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .75rem;font-size:.9rem}
.app-account form{margin:0}
.app-account .usa-button--unstyled,.app-account a{color:#fff}
.app-main{padding-top:1.5rem;padding-bottom:2rem;max-width:64rem}
.app-main:focus{outline:none}
.card{background:#fff;border:1px solid #dfe1e2;border-radius:.25rem;padding:1rem 1.25rem;margin-bottom:1rem}
.card>h1:first-child,.card>h2:first-child{margin-top:0}
.card h1{font-size:1.6rem;line-height:1.2;margin:.25rem 0 1rem}
.card h2{font-size:1.2rem;margin:1.25rem 0 .5rem}
.app-facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.35rem 1rem;margin:0}
.app-facts dt{color:#565c65;font-weight:700}
.app-facts dd{margin:0;white-space:pre-wrap}
.app-facts dd,.usa-table td,.usa-alert__text,.card p{overflow-wrap:anywhere}
@media (max-width:30em){.app-facts{grid-template-columns:1fr}.app-facts dd{margin-bottom:.5rem}}
.app-status{display:inline-block;border-radius:1rem;padding:.1rem .6rem;font-size:.85rem;font-weight:700;background:#dfe1e2;color:#1b1b1b;text-transform:none;vertical-align:middle}
.app-status--approved,.app-status--active,.app-status--completed,.app-status--done{background:#ecf3ec;color:#00a91c;color:#154c21}
.app-status--rejected,.app-status--failed,.app-status--retired{background:#f4e3db;color:#6f3331}
.app-status--expired,.app-status--revoked,.app-status--open,.app-status--pending{background:#faf3d1;color:#5c4809}
.app-hint,.usa-hint{color:#565c65}
.app-required{color:#b50909}
.app-actions{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin-top:1rem}
.app-actions .usa-button{margin-right:0}
.secret{font:1.4rem/1.4 "Roboto Mono Web",ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em;background:#f0f0f0;border:1px dashed #71767a;border-radius:.25rem;padding:.6rem .8rem;user-select:all;word-break:break-all}
.dev{background:#faf3d1;border:2px dashed #936f38}
.app-footer{color:#3d4551;font-size:.9rem;padding:1.5rem 0 2rem}
.usa-table{margin-top:.5rem}
.usa-table--stacked td{overflow-wrap:anywhere}
.app-results-summary{margin:.5rem 0}
.usa-process-list{margin-top:.5rem}
.usa-process-list__heading{font-size:1rem}
.usa-step-indicator{margin:1rem 0 1.5rem}
.app-guidelines li{margin-bottom:.5rem}
.usa-alert__text>p:first-child{margin-top:0}
@media print{
  @page{margin:1.5cm}
  .app-header,.app-footer,.usa-skipnav,form,.usa-button,.app-actions,.usa-pagination,.app-no-print{display:none!important}
  html,body{background:#fff;font-size:11pt}
  .card{border:0;padding:0;margin:0 0 1rem}
  a{color:#1b1b1b;text-decoration:none}
  .app-main{padding:0;max-width:none;margin:0}
  .usa-table{width:100%}
  .usa-table td,.usa-table th{border:1px solid #565c65;background:#fff}
  .usa-table thead{display:table-header-group}
  .app-status{border:1px solid currentColor;background:#fff}
  .usa-alert{border:1px solid #565c65;background:#fff}
  .usa-step-indicator{break-inside:avoid}
  main a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em;overflow-wrap:anywhere}
  h1,h2{break-after:avoid}
  tr,li,.app-facts dt,.app-facts dd{break-inside:avoid}
}
`;

export const appScript = `
(function(){
  document.documentElement.classList.add('app-js');
  function focusFirst(){
    var target = document.querySelector('[data-focus-on-load]');
    if (target) target.focus();
  }
  function peoplePicker(input){
    var list = document.getElementById(input.getAttribute('list'));
    if (!list) return;
    var timer, asked = '';
    input.addEventListener('input', function(){
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || q === asked) return;
      timer = setTimeout(function(){
        asked = q;
        fetch('/people?q=' + encodeURIComponent(q), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
          .then(function(r){ return r.ok ? r.json() : { people: [] }; })
          .then(function(body){
            if (input.value.trim() !== q) return;
            list.replaceChildren.apply(list, (body.people || []).map(function(p){
              var o = document.createElement('option');
              o.value = p.email;
              o.label = p.name + (p.departmentName ? ' \\u2014 ' + p.departmentName : '');
              return o;
            }));
          })
          .catch(function(){});
      }, 200);
    });
  }
  function start(){
    focusFirst();
    Array.prototype.forEach.call(document.querySelectorAll('input[data-people-search][list]'), peoplePicker);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
`;
