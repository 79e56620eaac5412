// vitals status page: keeps the values current without a reload. The page is
// complete without this script. While the page is visible it fetches
// /status.json every few seconds and copies each cell into the element with
// that id, drawn as the server draws it (agent/status/view.cpp): an optional
// <meter>, then marks as <span>s, then the text. When checks, groups or
// sections come or go ("layout" changes) it loads the page again.
'use strict';

(() => {
  const body = document.body;
  // From the origin: a page opened as http://user:pass@host/ has a base URL
  // that fetch() refuses; the browser sends the credentials it has anyway.
  const url = new URL(body.dataset.poll, location.origin).href;
  const every = (Number(body.dataset.every) || 2) * 1000;
  const conn = document.getElementById('conn');
  let timer = null;
  let busy = false;

  function fill(el, cell) {
    el.className = cell.c || '';
    el.title = cell.ti || '';
    const parts = [];
    if (cell.v !== undefined) {
      const meter = document.createElement('meter');
      meter.value = cell.v;
      parts.push(meter, ' ');
    }
    for (const mark of cell.m || []) {
      parts.push(fill(document.createElement('span'), mark));
    }
    parts.push(cell.t || '');
    el.replaceChildren(...parts);
    return el;
  }

  function schedule() {
    if (timer === null && !busy && !document.hidden) {
      timer = setTimeout(poll, every);
    }
  }

  async function poll() {
    timer = null;
    busy = true;
    try {
      const response = await fetch(url, {cache: 'no-store', credentials: 'same-origin'});
      if (!response.ok) {
        throw new Error(`${body.dataset.poll} answered ${response.status}`);
      }
      const model = await response.json();
      if (model.layout !== body.dataset.layout) {
        location.reload();
        return;
      }
      document.title = model.title;
      for (const [id, cell] of Object.entries(model.cells)) {
        const el = document.getElementById(id);
        if (el) {
          fill(el, cell);
        }
      }
      body.classList.remove('offline');
      conn.textContent = '';
    } catch (error) {
      // The values stay as they were; say they are old, and why.
      body.classList.add('offline');
      conn.textContent = `not updating: ${error.message}`;
    } finally {
      busy = false;
    }
    schedule();
  }

  // A hidden tab polls nothing: the page costs the agent nothing then.
  body.classList.add('live');  // shows "updates every N s"
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else if (timer === null && !busy) {
      poll();
    }
  });
  schedule();
})();
