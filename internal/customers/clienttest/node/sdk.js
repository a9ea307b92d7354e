// sdk.js drives Clientele's Customers API with the unmodified npm client
// @modyo/sdk 2.0.6 and prints what the client saw as one JSON object.
//
// Usage: node sdk.js ACCOUNT_URL REALM_UID SESSION_COOKIE ACCESS_TOKEN
//
// In a browser, getUserInfo() sends the session cookie because it asks
// axios for credentials; Node has no cookie jar, so the script gives the
// cookie to the HTTP layer the SDK uses (axios' default instance), as a
// browser would.
'use strict';

const axios = require('axios');
const {Client} = require('@modyo/sdk');

const [accountURL, realm, cookie, token] = process.argv.slice(2);

// outcome runs a call and reports how it ended, never throwing.
async function outcome(call) {
  try {
    const value = await call();
    return {resolved: true, value: value === undefined ? null : value};
  } catch (error) {
    return {resolved: false, error: String(error && error.message ? error.message : error)};
  }
}

async function main() {
  const report = {};

  // Anonymous: Modyo's SDK rejects any non-2xx.
  report.anonymous = await outcome(() => new Client(accountURL, 'es').getUserInfo());

  // Signed in: the session cookie on the SDK's HTTP layer.
  const withCookie = axios.interceptors.request.use((config) => {
    config.headers.set('Cookie', cookie);
    return config;
  });
  report.signed_in = await outcome(() => new Client(accountURL, 'es').getUserInfo());
  axios.interceptors.request.eject(withCookie);

  // Private content: before every content request the SDK asks the realm
  // for a delivery token with the customer's bearer token (through the
  // default axios instance, which the script watches) and sends it as
  // Delivery-Token.
  const tokenCalls = [];
  const watch = axios.interceptors.response.use(
    (response) => {
      tokenCalls.push({url: response.config.url, authorization: response.config.headers.Authorization || null,
        status: response.status, delivery_token: response.data && response.data.delivery_token || null});
      return response;
    },
    (error) => {
      const r = error.response;
      tokenCalls.push({url: error.config && error.config.url, status: r ? r.status : 0, body: r ? r.data : null});
      return Promise.reject(error);
    },
  );
  const content = new Client(accountURL, 'es').getContentType('blog', 'posts', realm, token);
  report.private_entries = await outcome(() => content.getEntries());
  const badContent = new Client(accountURL, 'es').getContentType('blog', 'posts', realm, 'not-a-token');
  report.private_entries_bad_token = await outcome(() => badContent.getEntries());
  axios.interceptors.response.eject(watch);
  report.token_calls = tokenCalls;

  // A realm without a token is refused by the SDK itself.
  report.missing_token = await outcome(async () => new Client(accountURL).getContentType('blog', 'posts', realm));
  return report;
}

main().then(
  (report) => process.stdout.write(JSON.stringify(report) + '\n'),
  (error) => {
    process.stderr.write(`sdk.js: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
