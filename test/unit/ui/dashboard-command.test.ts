// `kubelab dashboard`'s pure parts: the URL it prints and when it tries to open a browser.

import assert from 'node:assert/strict';
import { dashboardUrl, hasDisplay } from '../../../cli/commands/dashboard.js';

describe('kubelab dashboard', () => {
  it('puts the login path on the kubeconfig server address, whatever its trailing slash or path', () => {
    assert.equal(dashboardUrl('https://10.0.0.1:6443', '/ui/login?code=abc'), 'https://10.0.0.1:6443/ui/login?code=abc');
    assert.equal(dashboardUrl('https://10.0.0.1:6443/', '/ui/login?code=abc'), 'https://10.0.0.1:6443/ui/login?code=abc');
  });

  it('opens a browser only when a display exists (X11 or Wayland)', () => {
    assert.equal(hasDisplay({}), false);
    assert.equal(hasDisplay({ DISPLAY: ':0' }), true);
    assert.equal(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }), true);
  });
});
