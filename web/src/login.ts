import { api, ApiError } from './api.ts';
import { h } from './dom.ts';
import type { SessionUser } from './types.ts';

/** Renders the login form; resolves with the user once the server accepted the credentials. */
export function login(root: HTMLElement): Promise<SessionUser> {
  return new Promise((resolve) => {
    const username = h('input', { name: 'username', autocomplete: 'username', 'data-testid': 'login-user', required: true });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', 'data-testid': 'login-password', required: true });
    const error = h('p', { class: 'error-text', 'data-testid': 'login-error' });
    const form = h(
      'form',
      { class: 'login' },
      h('h1', {}, 'Uni', h('span', { style: 'color:var(--accent)' }, 'Fleet')),
      h('label', {}, 'User name'),
      username,
      h('label', {}, 'Password'),
      password,
      h('button', { class: 'primary', type: 'submit', 'data-testid': 'login-submit' }, 'Log in'),
      error,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      error.textContent = '';
      api<{ user: SessionUser }>('POST', '/api/v1/session', { username: username.value, password: password.value })
        .then(({ user }) => resolve(user))
        .catch((err: unknown) => {
          error.textContent = err instanceof ApiError ? err.message : 'cannot reach the platform';
        });
    });
    root.replaceChildren(form);
    username.focus();
  });
}
