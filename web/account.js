// The account pages (invite.html, reset.html): accept an invitation, ask for a password reset,
// set a new password. No framework; the page's CSP allows only this script. Errors are said in
// words (the relay's message), next to the field they name (aria-invalid + the alert region).
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') || '';
  // The token leaves the address bar (and the history) as soon as the page has read it.
  if (location.hash) history.replaceState(null, '', location.pathname);

  function say(text) { $('status').textContent = text; }
  function fail(text, field) {
    for (const el of document.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    $('error').textContent = text;
    const input = field && document.querySelector('[name="' + field + '"]');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-errormessage', 'error');
      input.focus();
    }
  }
  function clear() { $('error').textContent = ''; say(''); }

  async function post(path, body) {
    let res;
    try {
      res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                body: JSON.stringify(body), credentials: 'same-origin' });
    } catch (e) {
      return { ok: false, error: { message: 'The relay could not be reached. Check your connection and try again.' } };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { /* empty body */ }
    if (res.ok) return { ok: true, data };
    return { ok: false, status: res.status, error: (data && data.error) || { message: 'The relay refused (' + res.status + ').' } };
  }

  function passwordsMatch() {
    if ($('password').value !== $('password2').value) {
      fail('The two passwords are not the same.', 'password2');
      return false;
    }
    return true;
  }

  function busy(button, on) { button.disabled = on; button.setAttribute('aria-busy', on ? 'true' : 'false'); }

  // ---- invite.html ----
  async function invitePage() {
    if (!token) { $('intro').textContent = ''; fail('This link has no invitation in it. Open the link from your mail again.'); return; }
    const check = await post('/api/v1/invitations/check', { token });
    if (!check.ok) { $('intro').textContent = ''; fail(check.error.message); return; }
    const inv = check.data;
    const where = inv.tenant && inv.tenant.name ? inv.tenant.name : 'Parley';
    $('title').textContent = 'Join ' + where;
    $('intro').textContent = 'You are invited as ' + (inv.role === 'supervisor' ? 'a ' : 'an ') + inv.role + ' (' + inv.email +
      '). Choose your user name and password.';
    $('username').value = inv.username || '';
    $('accept-form').hidden = false;
    $('username').focus();
    $('accept-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear();
      if (!passwordsMatch()) return;
      busy($('submit'), true);
      say('Creating your account…');
      const r = await post('/api/v1/invitations/accept', { token, username: $('username').value.trim(),
        display_name: $('display-name').value.trim(), password: $('password').value });
      busy($('submit'), false);
      if (!r.ok) { say(''); fail(r.error.message, r.error.field); return; }
      $('accept-form').hidden = true;
      say('Your account ' + r.data.user.username + ' is ready. Log in with it in the inbox.');
      $('to-inbox').href = '/inbox';
      $('done').hidden = false;
      $('to-inbox').focus();
    });
  }

  // ---- reset.html ----
  function resetPage() {
    if (!token) {
      $('ask-form').hidden = false;
      $('who').focus();
      $('ask-form').addEventListener('submit', async (ev) => {
        ev.preventDefault();
        clear();
        const who = $('who').value.trim();
        if (!who) { fail('Give your user name or e-mail address.', 'who'); return; }
        busy($('ask'), true);
        const r = await post('/api/v1/password-reset', who.includes('@') ? { email: who } : { username: who });
        busy($('ask'), false);
        if (!r.ok) { fail(r.error.message); return; }
        say(r.data.message || 'If this account exists, a reset link is on its way.');
      });
      return;
    }
    $('set-form').hidden = false;
    $('password').focus();
    $('set-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear();
      if (!passwordsMatch()) return;
      busy($('set'), true);
      const r = await post('/api/v1/password-reset/confirm', { token, password: $('password').value });
      busy($('set'), false);
      if (!r.ok) { fail(r.error.message, r.error.field === 'token' ? '' : r.error.field); return; }
      $('set-form').hidden = true;
      say('Your new password is set. You were signed out everywhere else.');
      $('done').hidden = false;
      $('to-inbox').focus();
    });
  }

  if ($('accept-form')) invitePage(); else resetPage();
})();
