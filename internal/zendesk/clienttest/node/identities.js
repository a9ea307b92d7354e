// identities.js drives Clientele's user identities and user tags with the
// unmodified npm client node-zendesk (the version pinned in package.json)
// and prints ONE JSON object on stdout with what the client observed. It
// exits non-zero on any unexpected outcome; ../identities_test.go runs it
// and checks both this report and the stored state.
//
// Usage:
//
//	node identities.js ENDPOINT_URI
//
// Environment:
//
//	ZENDESK_USERNAME    email of an agent or admin of the realm
//	ZENDESK_TOKEN       an API token of the realm
//	ZENDESK_FOREIGN_ID  id of a user in another realm, which must stay invisible
'use strict';

const {createClient} = require('node-zendesk');
const {report} = require('./report');

const endpointUri = process.argv[2];
const username = process.env.ZENDESK_USERNAME;
const token = process.env.ZENDESK_TOKEN;
const foreignID = Number(process.env.ZENDESK_FOREIGN_ID || 0);

// Every request and response, to prove that none carried a Retry-After
// header (node-zendesk turns any such response into a fake 429).
const exchanges = [];

const zd = createClient({endpointUri, username, token, throwOriginalException: true});
for (const service of [zd.users, zd.useridentities]) {
  service.on('debug::request', (event) => {
    // Only method and URL: the options also hold the Authorization header.
    exchanges.push({method: event.detail.method, uri: event.detail.uri});
  });
  service.on('debug::response', (event) => {
    const last = exchanges.at(-1);
    last.status = event.detail.status;
    last.retry_after = event.detail.headers.get('retry-after');
  });
}

class Unexpected extends Error {}

function expect(cond, message) {
  if (!cond) throw new Unexpected(message);
}

// ok unwraps {response, result}, refusing the Error objects node-zendesk
// resolves with for 204 and for responses that carry Retry-After.
function ok(reply, what) {
  expect(reply && reply.response && reply.result !== undefined, `${what}: no {response, result}`);
  expect(!(reply.result instanceof Error),
    `${what}: resolved with an error result (${reply.result && reply.result.message})`);
  return {status: reply.response.status, result: reply.result};
}

function identity(i) {
  return {id: i.id, user_id: i.user_id, type: i.type, value: i.value, primary: i.primary, verified: i.verified};
}

// rejection runs a call that must fail and reports how.
async function rejection(call) {
  try {
    await call();
  } catch (error) {
    return {status_code: error.statusCode || 0, error: (error.result && error.result.error) || ''};
  }
  throw new Unexpected('the call succeeded');
}

async function main() {
  const out = {};
  const created = ok(await zd.users.create({user: {name: 'Ida Identity', email: 'ida@example.com'}}), 'users.create');
  const uid = created.result.id;
  out.user_id = uid;

  // Identities: list, create, make primary, verify, delete.
  out.first_list = (await zd.useridentities.list(uid)).map(identity);
  const work = ok(await zd.useridentities.create(uid, {type: 'email', value: 'Ida.Work@Example.com'}), 'useridentities.create email');
  out.created_email = {status: work.status, ...identity(work.result)};
  const phone = ok(await zd.useridentities.create(uid, {identity: {type: 'phone_number', value: '+1 555 010 2000'}}), 'useridentities.create phone');
  out.created_phone = {status: phone.status, ...identity(phone.result)};
  out.duplicate = await rejection(() => zd.useridentities.create(uid, {type: 'email', value: 'ida@example.com'}));
  const primary = ok(await zd.useridentities.makePrimary(uid, work.result.id), 'useridentities.makePrimary');
  expect(Array.isArray(primary.result), 'makePrimary: not the list of identities');
  out.made_primary = {status: primary.status, identities: primary.result.map(identity)};
  out.user_after_primary = ok(await zd.users.show(uid), 'users.show').result.email;
  const verified = ok(await zd.useridentities.verify(uid, work.result.id), 'useridentities.verify');
  out.verified = {status: verified.status, ...identity(verified.result)};
  const updated = ok(await zd.useridentities.update(uid, phone.result.id, {identity: {value: '+1 555 010 2001'}}), 'useridentities.update');
  out.updated_phone = {status: updated.status, ...identity(updated.result)};
  const requested = await zd.useridentities.requestVerification(uid, work.result.id);
  out.request_verification_status = requested.response.status;
  const old = out.first_list[0].id;
  const deleted = await zd.useridentities.delete(uid, old);
  // node-zendesk resolves a 204 with an Error("No Content") as result.
  out.delete_status = deleted.response.status;
  out.final_list = (await zd.useridentities.list(uid)).map(identity);
  const shown = ok(await zd.useridentities.show(uid, work.result.id), 'useridentities.show');
  out.shown = identity(shown.result);
  out.foreign = await rejection(() => zd.useridentities.list(foreignID));

  // Tags: POST sets, PUT adds, GET lists, DELETE removes.
  const set = ok(await zd.users.setTags(uid, {tags: ['Alpha', 'beta', 'delta']}), 'users.setTags');
  out.set_tags = {status: set.status, tags: set.result.tags};
  const added = ok(await zd.users.addTags(uid, {tags: ['gamma', 'ALPHA']}), 'users.addTags');
  out.add_tags = {status: added.status, tags: added.result.tags};
  const listed = await zd.users.listTags(uid);
  expect(Array.isArray(listed) && listed.length === 1, 'users.listTags: not one page');
  out.list_tags = listed[0].tags;
  // removeTags drops its tags argument and sends a DELETE without a body,
  // which names no tag: the server refuses it rather than guess.
  out.remove_tags_client = await rejection(() => zd.users.removeTags(uid, {tags: ['beta']}));
  const byQuery = ok(await zd.users.request('DELETE', ['users', uid, 'tags', {tags: 'beta'}]), 'DELETE tags?tags=');
  out.remove_tags_query = {status: byQuery.status, tags: byQuery.result.tags};
  const byBody = ok(await zd.users.request('DELETE', ['users', uid, 'tags'], {tags: ['delta']}), 'DELETE tags with a body');
  out.remove_tags_body = {status: byBody.status, tags: byBody.result.tags};
  out.final_tags = (await zd.users.listTags(uid))[0].tags;
  out.foreign_tags = await rejection(() => zd.users.listTags(foreignID));

  out.exchanges = exchanges;
  return out;
}

report(main, exchanges);
