// A real OpenID provider for the login tests: the certified `oidc-provider` package with two
// test accounts, started by runtime-server/tests/oidc.rs and by scripts/browser-test for
// tests/browser/login.mjs.
//
//   node tests/oidc/provider.mjs PORT REDIRECT_URI [REDIRECT_URI …]
//
// Prints `ready http://127.0.0.1:PORT` on standard output when it listens. The client is
// `wegweiser` with the secret `wegweiser-test-secret` (client_secret_basic). Its login page
// (`/interaction/:uid`) is a plain HTML form with one button per account: a test (or a
// person) presses one, and the provider finishes the login with that account's `acr`. No
// password: these are test accounts on 127.0.0.1. Consent is granted by itself
// (`loadExistingGrant`). `conformIdTokenClaims: false` puts the claims of the granted scopes
// into the ID token, as a Keycloak broker does with its mappers ("Add to ID token").
import Provider from 'oidc-provider';

const [port, ...redirects] = process.argv.slice(2);
if (!port || redirects.length === 0) {
  console.error('usage: node provider.mjs PORT REDIRECT_URI [REDIRECT_URI …]');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// Two citizens: different names, birth dates, addresses and trust levels. `acr` as BundID
// sends it (STORK-QAA levels; Wegweiser maps them to substantiell / hoch).
export const ACCOUNTS = {
  anna: {
    label: 'Anna Beispiel (Online-Ausweis, hoch)',
    acr: 'STORK-QAA-Level-4',
    claims: {
      given_name: 'Anna',
      family_name: 'Beispiel',
      birthdate: '1985-04-12',
      place_of_birth: { locality: 'Coesfeld', country: 'DE' },
      email: 'anna.beispiel@example.org',
      phone_number: '+49 2541 12345',
      address: { street_address: 'Rathausplatz 1', postal_code: '48653', locality: 'Coesfeld', country: 'DE' },
    },
  },
  ben: {
    label: 'Ben Muster (ELSTER-Zertifikat, substantiell)',
    acr: 'STORK-QAA-Level-3',
    claims: {
      given_name: 'Ben',
      family_name: 'Muster',
      birthdate: '1990-11-03',
      place_of_birth: { locality: 'Bitburg', country: 'DE' },
      email: 'ben.muster@example.org',
      phone_number: '+49 6561 6789',
      address: { street_address: 'Hauptstraße 7', postal_code: '54634', locality: 'Bitburg', country: 'DE' },
    },
  },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'wegweiser',
      client_secret: 'wegweiser-test-secret',
      redirect_uris: redirects,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account.claims }; } };
  },
  claims: {
    acr: null,
    auth_time: null,
    sid: null,
    // `acr` with `openid`: oidc-provider puts it into the ID token only when asked for
    // (acr_values or the claims parameter); a broker such as Keycloak always sends it.
    openid: ['sub', 'acr'],
    profile: ['given_name', 'family_name', 'birthdate', 'place_of_birth'],
    email: ['email'],
    phone: ['phone_number'],
    address: ['address'],
  },
  acrValues: [...new Set(Object.values(ACCOUNTS).map((a) => a.acr))],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['wegweiser-test-cookie-key'] },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    await grant.save();
    return grant;
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function body(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16384) throw new Error('body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The login page and its POST.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!m) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== m[1]) ctx.throw(400, 'wrong interaction');
  if (ctx.method === 'GET' && !m[2]) {
    const buttons = Object.entries(ACCOUNTS)
      .map(([id, a]) => `<li><button type="submit" name="account" value="${escape(id)}">${escape(a.label)}</button></li>`)
      .join('\n');
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Test-Anmeldung</title></head>
<body><main><h1>Test-Anmeldung</h1><p>Mit welchem Testkonto melden Sie sich an?</p>
<form method="post" action="/interaction/${escape(details.uid)}/login"><ul>${buttons}</ul></form></main></body></html>`;
    return undefined;
  }
  if (ctx.method === 'POST' && m[2]) {
    const id = (await body(ctx.req)).get('account');
    const account = ACCOUNTS[id];
    if (!account) ctx.throw(400, 'unknown account');
    const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: id, acr: account.acr } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
    return undefined;
  }
  return ctx.throw(405);
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
