// xpander-devserver's dashboard: the few things the server-rendered page cannot do alone.
// - Live: one EventSource on /_dev/dashboard/live; when what this view shows changed, the
//   view's parts are read again from /_dev/dashboard/parts (the page's own query) and the
//   parts that differ are replaced. No timers: nothing is read while nothing changes.
// - Filters apply as you type, and the pager turns pages, without reloading the page.
// - Actions go to the routes tests use: create and stop through the platform routes (mounted
//   under /_dev/platform, where the server adds its key), MCP logins and faults through /_dev.
'use strict';

(() => {
  const byId = (id) => document.getElementById(id);
  const view = document.body.dataset.view;
  const flash = byId('flash');
  const live = byId('live');

  // What each view reads again on a change of each counter of the stream.
  const WATCHES = {
    tasks: ['store'],
    task: ['store', 'llm'],
    agents: ['store'],
    workers: ['store'],
    requests: ['store', 'requests'],
    faults: ['store', 'requests', 'faults'],
  };

  function say(text, isError) {
    flash.textContent = text;
    flash.classList.toggle('error', Boolean(isError));
  }

  // --- Reading the parts again -------------------------------------------------------------

  const shown = new Map(); // part id -> the HTML it shows
  let reading = false;
  let readAgain = false;

  async function refresh() {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      const answer = await fetch('/_dev/dashboard/parts' + location.search, {
        headers: { accept: 'application/json' },
      });
      if (answer.ok) apply((await answer.json()).parts);
    } catch (_) {
      // The stream reconnects and asks again; nothing to do here.
    } finally {
      reading = false;
      if (readAgain) {
        readAgain = false;
        refresh();
      }
    }
  }

  function apply(parts) {
    for (const [id, html] of Object.entries(parts)) {
      const element = byId(id);
      if (!element || shown.get(id) === html) continue;
      // Keep the keyboard where it was when the part it sits in is replaced.
      const active = document.activeElement;
      const focused = active && element.contains(active) ? focusKey(active) : null;
      element.innerHTML = html;
      shown.set(id, html);
      if (focused) refocus(element, focused);
    }
  }

  function focusKey(element) {
    if (element.id) return { id: element.id };
    const keys = ['data-action', 'data-login', 'data-task', 'href'];
    return { attrs: keys.filter((k) => element.hasAttribute(k)).map((k) => [k, element.getAttribute(k)]) };
  }

  function refocus(root, key) {
    let target = key.id ? byId(key.id) : null;
    if (!target && key.attrs && key.attrs.length) {
      target = [...root.querySelectorAll('a, button')].find((el) =>
        key.attrs.every(([k, v]) => el.getAttribute(k) === v));
    }
    if (target) target.focus();
  }

  // --- The change stream -------------------------------------------------------------------
  // Open only while the page is shown: a browser gives a server six connections, and a hidden
  // tab (or a page kept for the back button) should not hold one of them.

  let stream = null;
  let last = null;

  function connect() {
    if (stream || document.hidden) return;
    stream = new EventSource('/_dev/dashboard/live');
    stream.addEventListener('change', (event) => {
      const now = JSON.parse(event.data);
      const watched = WATCHES[view] || ['store'];
      const changed = !last || watched.some((key) => now[key] !== last[key]);
      last = now;
      live.textContent = 'live';
      live.className = 'live on';
      if (changed) refresh();
    });
    stream.addEventListener('error', () => {
      // EventSource reconnects by itself; its first event catches the page up.
      last = null;
      live.textContent = 'reconnecting…';
      live.className = 'live off';
    });
  }

  function disconnect() {
    if (!stream) return;
    stream.close();
    stream = null;
    last = null;
    live.textContent = 'paused';
    live.className = 'live';
  }

  document.addEventListener('visibilitychange', () => (document.hidden ? disconnect() : connect()));
  window.addEventListener('pagehide', disconnect);
  window.addEventListener('pageshow', connect);
  connect();

  // --- Filters and pages without reloads ---------------------------------------------------

  function debounce(fn, ms) {
    let timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  for (const form of document.querySelectorAll('form[data-filter]')) {
    const applyFilters = () => {
      const query = new URLSearchParams();
      for (const [key, value] of new FormData(form)) if (value) query.set(key, value);
      const search = query.toString();
      history.replaceState(null, '', search ? '?' + search : location.pathname);
      refresh();
    };
    form.addEventListener('input', debounce(applyFilters, 250));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      applyFilters();
    });
  }

  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-soft]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    history.pushState(null, '', link.getAttribute('href'));
    refresh();
  });
  window.addEventListener('popstate', refresh);

  // --- Actions -----------------------------------------------------------------------------

  // Sends JSON; the answer's JSON, or null after saying what went wrong.
  async function send(method, url, body) {
    const init = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      const answer = await fetch(url, init);
      const json = await answer.json().catch(() => ({}));
      if (!answer.ok) {
        say(`${method} ${url}: ${json.error || answer.status + ' ' + answer.statusText}`, true);
        return null;
      }
      return json;
    } catch (error) {
      say(`${method} ${url}: ${error.message}`, true);
      return null;
    }
  }

  async function busy(button, work) {
    if (button) button.disabled = true;
    try {
      await work();
    } finally {
      if (button) button.disabled = false;
    }
  }

  const create = byId('create-task');
  if (create) {
    create.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(create.querySelector('button[type=submit]'), async () => {
        const body = taskRequest(new FormData(create));
        if (!body) return;
        const agent = create.elements.agent.value;
        const task = await send('POST', `/_dev/platform/agent-execution/${encodeURIComponent(agent)}`, body);
        if (!task) return;
        say(`Created task ${task.id} for ${agent}.`);
        create.elements.prompt.value = '';
        refresh();
      });
    });
  }

  // The create body from the form; null (after saying why) when the form is not usable.
  function taskRequest(form) {
    const body = { input: { text: form.get('prompt') } };
    const format = form.get('output_format');
    if (format) body.output_format = format;
    const schema = form.get('output_schema').trim();
    if (schema) {
      try {
        body.output_schema = JSON.parse(schema);
      } catch (error) {
        say(`Output schema is not JSON: ${error.message}`, true);
        byId('create-schema').focus();
        return null;
      }
    }
    const email = form.get('user_email').trim();
    const id = form.get('user_id').trim();
    if (email || id) {
      if (!email) {
        say('A user needs an email (the platform requires one).', true);
        byId('create-email').focus();
        return null;
      }
      body.input.user = id ? { email, id } : { email };
    }
    return body;
  }

  const faultsForm = byId('faults-form');
  if (faultsForm) {
    faultsForm.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(faultsForm.querySelector('button[type=submit]'), async () => {
        const answer = await send('POST', '/_dev/faults', faultsRequest(new FormData(faultsForm)));
        if (answer) say('Faults set.');
        refresh();
      });
    });
  }

  function faultsRequest(form) {
    const number = (name) => {
      const value = String(form.get(name) || '').trim();
      return value === '' ? undefined : Number(value);
    };
    const rule = (prefix, extra) => {
      const pattern = String(form.get(prefix + '_pattern') || '').trim();
      if (!pattern) return [];
      const item = { pattern, ...extra };
      const method = form.get(prefix + '_method');
      if (method) item.method = method;
      const rate = number(prefix + '_rate');
      if (rate !== undefined) item.rate = rate;
      return [item];
    };
    const faults = {
      seed: number('seed') || 0,
      errors: rule('error', { status: number('error_status') || 503 }),
      delays: rule('delay', { delay_ms: number('delay_ms') || 0 }),
    };
    for (const name of ['drop_sse_every', 'drop_task_events_every', 'malformed_every']) {
      const value = number(name);
      if (value !== undefined) faults[name] = value;
    }
    return faults;
  }

  const ACTIONS = {
    async stop(button) {
      const id = button.dataset.task;
      if (await send('DELETE', `/_dev/platform/agent-execution/${encodeURIComponent(id)}`)) {
        say(`Stopped task ${id}.`);
      }
    },
    async approve(button) {
      if (await send('POST', '/_dev/mcp_auth/approve', { login_id: button.dataset.login })) {
        say('Login approved: the waiting worker gets its token on its next poll.');
      }
    },
    async deny(button) {
      if (await send('POST', '/_dev/mcp_auth/deny', { login_id: button.dataset.login })) {
        say('Login denied: the waiting worker is told on its next poll.');
      }
    },
    async 'clear-faults'() {
      if (await send('DELETE', '/_dev/faults')) {
        say('Faults cleared.');
        if (faultsForm) {
          for (const input of faultsForm.querySelectorAll('input')) input.value = '';
          for (const select of faultsForm.querySelectorAll('select')) select.value = '';
        }
      }
    },
    async copy(button) {
      const text = button.parentElement.querySelector('pre').textContent;
      try {
        await navigator.clipboard.writeText(text);
        say('Copied.');
      } catch (_) {
        say('Copying was refused; select the line and copy it by hand.', true);
      }
    },
  };

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    const action = button && ACTIONS[button.dataset.action];
    if (!action) return;
    busy(button, async () => {
      await action(button);
      refresh();
    });
  });
})();
