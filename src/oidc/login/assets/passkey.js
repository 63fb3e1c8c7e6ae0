/*
 * The login pages' only script: the passkey button. It shows the button
 * when the browser can use passkeys, asks the service for WebAuthn options,
 * lets the authenticator sign them, and submits the answer with the form
 * the button sits in, as any other form is submitted. Without JavaScript
 * the button stays hidden and the password form works on its own.
 */
(function () {
  'use strict';
  var webauthn = window.SimpleWebAuthnBrowser;
  var form = document.querySelector('[data-passkey-form]');
  if (!form || !webauthn || !webauthn.browserSupportsWebAuthn()) return;
  var button = form.querySelector('[data-passkey-start]');
  var problem = form.querySelector('[data-passkey-error]');
  // Read out when it shows, as the error summary of a form that came back is.
  problem.setAttribute('role', 'alert');
  form.hidden = false;

  function options() {
    return fetch(form.action + '/options', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: form.elements.csrf.value }),
    }).then(function (answer) {
      if (!answer.ok) throw new Error('options refused');
      return answer.json();
    });
  }

  button.addEventListener('click', function () {
    problem.hidden = true;
    button.disabled = true;
    options()
      .then(function (optionsJSON) {
        return webauthn.startAuthentication({ optionsJSON: optionsJSON });
      })
      .then(function (response) {
        form.elements.response.value = JSON.stringify(response);
        form.submit();
      })
      .catch(function () {
        problem.textContent = 'Your passkey could not be used. Try again, or use another way to sign in.';
        problem.hidden = false;
        button.disabled = false;
        // Disabling the button took the focus from it: give it back, so the keyboard is where it was.
        button.focus();
      });
  });
})();
