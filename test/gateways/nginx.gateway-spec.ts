import { describeGateway } from './gateway-suite.js';
import { findBinary } from './gateway-harness.js';

/** Debian's nginx (auth_request), run by this test: no daemon, its own prefix and temp folders, logs to stderr. */
describeGateway({
  name: 'nginx',
  binary: findBinary(['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']),
  template: 'nginx.conf.template',
  passesErrorBody: false,
  async launch(gateway, binary, siteConfig) {
    gateway.makeDirs('logs', 'temp/body', 'temp/proxy', 'temp/fastcgi', 'temp/uwsgi', 'temp/scgi');
    gateway.writeFile('site.conf', siteConfig);
    const config = gateway.writeFile(
      'nginx.conf',
      `daemon off;
master_process off;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${gateway.dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
    access_log off;
    client_max_body_size 8m;
    client_body_temp_path ${gateway.dir}/temp/body;
    proxy_temp_path ${gateway.dir}/temp/proxy;
    fastcgi_temp_path ${gateway.dir}/temp/fastcgi;
    uwsgi_temp_path ${gateway.dir}/temp/uwsgi;
    scgi_temp_path ${gateway.dir}/temp/scgi;
    include ${gateway.dir}/site.conf;
}
`,
    );
    await gateway.start(binary, ['-p', `${gateway.dir}/`, '-e', 'stderr', '-c', config]);
  },
});
