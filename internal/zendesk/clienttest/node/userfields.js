// userfields.js drives Clientele's User Fields API with the unmodified npm
// client node-zendesk (the version pinned in package.json) and prints ONE
// JSON object on stdout with what the client observed. It exits non-zero
// on any unexpected outcome; ../userfield_test.go runs it and checks both
// this report and the stored state.
//
// Usage:
//
//	node userfields.js [ENDPOINT_URI]
//
// Environment:
//
//	ZENDESK_ENDPOINT_URI  base URL, e.g. http://127.0.0.1:PORT/api/v2 (if not in argv)
//	ZENDESK_USERNAME      email of an admin of the realm
//	ZENDESK_TOKEN         an API token of the realm
//	ZENDESK_USER_ID       id of an end user of the realm, who gets values
'use strict';

const {createClient} = require('node-zendesk');
const {report} = require('./report');

const endpointUri = process.argv[2] || process.env.ZENDESK_ENDPOINT_URI;
const userID = Number(process.env.ZENDESK_USER_ID);

const zd = createClient({
  endpointUri,
  username: process.env.ZENDESK_USERNAME,
  token: process.env.ZENDESK_TOKEN,
  throwOriginalException: true,
});

// Every request the user fields and users services sent, with its status.
const exchanges = [];
for (const service of [zd.userfields, zd.users]) {
  service.on('debug::request', (event) => {
    exchanges.push({method: event.detail.method, uri: event.detail.uri});
  });
  service.on('debug::response', (event) => {
    exchanges.at(-1).status = event.detail.status;
  });
}

// field summarises a user field as the client returned it.
function field(f) {
  return {
    id: f.id,
    key: f.key,
    type: f.type,
    title: f.title,
    options: (f.custom_field_options || []).map((o) => o.value),
  };
}

// result unwraps a single-call reply ({response, result}), requiring the
// status want.
function result(reply, want, what) {
  if (!reply || !reply.response || reply.response.status !== want) {
    throw new Error(`${what}: status ${reply && reply.response && reply.response.status}, want ${want}`);
  }
  return reply.result;
}

async function main() {
  const out = {};
  const tier = result(await zd.userfields.create({user_field: {
    key: 'tier', type: 'dropdown', title: 'Tier',
    custom_field_options: [{name: 'Gold', value: 'gold'}, {name: 'Silver', value: 'silver'}],
  }}), 201, 'create tier');
  const since = result(await zd.userfields.create({user_field: {key: 'member_since', type: 'date', title: 'Member since'}}), 201, 'create member_since');
  const nickname = result(await zd.userfields.create({user_field: {key: 'nickname', title: 'Nickname'}}), 201, 'create nickname');
  out.created = [field(tier), field(since), field(nickname)];

  // An option added through its own endpoint.
  const option = result(await zd.userfields.createOrUpdateOption(tier.id, {custom_field_option: {name: 'Bronze', value: 'bronze'}}), 201, 'create option');
  out.option = option.custom_field_option.value;
  const options = result(await zd.userfields.listOptions(tier.id), 200, 'list options');
  out.options = options.custom_field_options.map((o) => o.value);

  result(await zd.userfields.reorder([nickname.id, tier.id, since.id]), 200, 'reorder');
  out.listed = (await zd.userfields.list()).map((f) => f.key);
  out.shown = field(result(await zd.userfields.show(tier.id), 200, 'show tier'));

  // Values set on a user and read back.
  const updated = result(await zd.users.update(userID, {user: {user_fields: {
    tier: 'bronze', member_since: '2019-07-23', nickname: 'Kit', not_a_field: 'dropped',
  }}}), 200, 'update user');
  out.updated_fields = updated.user_fields;
  out.read_back = result(await zd.users.show(userID), 200, 'show user').user_fields;

  // A value that fits no option is refused.
  try {
    await zd.users.update(userID, {user: {user_fields: {tier: 'diamond'}}});
    out.refused = null;
  } catch (error) {
    out.refused = {status_code: error.statusCode, details: Object.keys(error.result.details || {})};
  }

  await zd.userfields.delete(nickname.id);
  out.after_delete = result(await zd.users.show(userID), 200, 'show user after delete').user_fields;
  out.exchanges = exchanges;
  return out;
}

report(main, exchanges);
