import { describeGateway } from './gateway-suite.js';
import { findBinary } from './gateway-harness.js';

/** Debian's Caddy (forward_auth), run by this test: admin endpoint off, plain HTTP, its state in a temporary folder. */
describeGateway({
  name: 'Caddy',
  binary: findBinary(['/usr/bin/caddy', '/usr/local/bin/caddy']),
  template: 'Caddyfile.template',
  passesErrorBody: true,
  async launch(gateway, binary, siteConfig) {
    gateway.makeDirs('home', 'config', 'data');
    const config = gateway.writeFile('Caddyfile', `{\n\tadmin off\n\tauto_https off\n}\n\n${siteConfig}`);
    await gateway.start(binary, ['run', '--config', config, '--adapter', 'caddyfile'], {
      PATH: process.env.PATH,
      HOME: `${gateway.dir}/home`,
      XDG_CONFIG_HOME: `${gateway.dir}/config`,
      XDG_DATA_HOME: `${gateway.dir}/data`,
    });
  },
});
